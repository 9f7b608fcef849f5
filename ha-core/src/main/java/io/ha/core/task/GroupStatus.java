package io.ha.core.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A fan-in group as stored now, from {@link TaskQueue#group}: its state, how many members ended in each terminal
 * state and how many have not ended yet, and its join task once created.
 *
 * <p>Guarantee: each member's entry reflects an outcome recorded by a quorum, and {@code joinId} is the one join the
 * group will ever have. Not guaranteed: one snapshot across members (the group's nodes are read one after another
 * while members end), nor the state of members that have not ended (read them with {@link TaskQueue#get}).
 *
 * @param ended     members whose chain ended, per terminal state
 * @param active    members whose chain has not ended yet
 * @param joinId    the join task (or the onFailure task, see {@code onFailure}), or null while not created
 * @param joinState the join task's own state, or null while not created (or pruned)
 * @param onFailure true when {@code joinId} is the group's onFailure task (joinOnlySucceeded and a member failed)
 * @param members   every member, in index order
 */
public record GroupStatus(String id, int size, GroupState state, Map<TaskState, Integer> ended, int active,
                          String joinId, TaskState joinState, boolean onFailure, long createdAt,
                          List<GroupMember> members) {
    public GroupStatus {
        ended = Map.copyOf(ended);
        members = List.copyOf(members);
    }

    public Instant createdAtInstant() {
        return Instant.ofEpochMilli(createdAt);
    }

    @Override
    public String toString() {
        return "GroupStatus[" + id + " " + state + ", " + size + " members: ended " + ended + ", active " + active
                + (joinId == null ? "" : ", join " + joinId + " " + joinState) + "]";
    }
}
