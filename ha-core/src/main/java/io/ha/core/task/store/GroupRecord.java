package io.ha.core.task.store;

import io.ha.core.task.GroupState;
import io.ha.core.task.TaskTemplate;

/**
 * The header of a fan-in group ({@code /groups/<bucket>/<groupId>}, JSON): its size and shard count, its policy and
 * the templates of its join and onFailure tasks, its state, how many shards are complete, and the join's id once
 * created. Every change is a versioned write, so the one that completes the last shard (and creates the join)
 * applies exactly once.
 *
 * @param shards          number of shard nodes {@code s-0 .. s-(shards-1)}; member {@code i} is in shard
 *                        {@code i % shards} at position {@code i / shards}
 * @param completedShards shards whose members have all ended
 * @param maxInputBytes   the payload limit of the submitting queue: the join's input carries results up to it
 */
public record GroupRecord(String id, int size, int shards, boolean joinOnlySucceeded, TaskTemplate join,
                          TaskTemplate onFailure, GroupState state, int completedShards, String joinId,
                          boolean joinIsOnFailure, long createdAt, int maxInputBytes) {
    /** Members per shard, about: few enough that one shard is small, enough that a big group has few nodes. */
    static final int MEMBERS_PER_SHARD = 32;

    /** The shard count for {@code size} members: ceil(size / 32), at least 1. */
    static int shardsFor(int size) {
        return Math.max(1, Math.min(size, (size + MEMBERS_PER_SHARD - 1) / MEMBERS_PER_SHARD));
    }

    GroupRecord withState(GroupState next) {
        return new GroupRecord(id, size, shards, joinOnlySucceeded, join, onFailure, next, completedShards, joinId,
                joinIsOnFailure, createdAt, maxInputBytes);
    }

    GroupRecord withShardCompleted() {
        return new GroupRecord(id, size, shards, joinOnlySucceeded, join, onFailure, state, completedShards + 1,
                joinId, joinIsOnFailure, createdAt, maxInputBytes);
    }

    /** JOINED with the join's id; ENDED at once when there is no task to create ({@code id} null). */
    GroupRecord joined(String createdId, boolean isOnFailure) {
        return new GroupRecord(id, size, shards, joinOnlySucceeded, join, onFailure,
                createdId == null ? GroupState.ENDED : GroupState.JOINED, completedShards, createdId, isOnFailure,
                createdAt, maxInputBytes);
    }

    boolean allShardsComplete() {
        return completedShards >= shards;
    }
}
