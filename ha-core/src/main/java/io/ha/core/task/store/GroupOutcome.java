package io.ha.core.task.store;

import io.ha.core.CorruptDataException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Json;
import io.ha.core.task.GroupState;
import io.ha.core.task.JoinInput;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.TaskTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group part of a terminal transaction (DESIGN.md section 7): when a task of a group ends without creating
 * follow-ups, its member's entry in the shard is set (versioned); when that completes the shard, the header counts
 * it (versioned); when that completes the last shard of an OPEN group, the join (or onFailure) task is created and
 * the header marked JOINED, all in the same {@code multi()} as the outcome. The end of the join's chain marks the
 * header ENDED.
 *
 * <p>Guarantees: the join is created at most once per group, by the transaction that completes its last shard (the
 * header's version check lets exactly one apply), and only for an OPEN group. A refused shard or header check is a
 * conflict with another member's outcome, not a zombie: callers build the operations again with fresh reads
 * ({@code ZPaths.isGroupPath} tells them apart). Not guaranteed: anything for a task whose group nodes are gone
 * (pruned after the group ended): its outcome is recorded without them.
 */
final class GroupOutcome {
    private static final Logger LOG = LoggerFactory.getLogger(GroupOutcome.class);

    private final TaskStore store;
    private final GroupStore groups;
    /** Groups whose shard count has been read: it never changes, so a member's end reads only its shard. */
    private static final int MAX_CACHED_GROUPS = 10_000;

    private final long readTimeoutMs;
    private final Map<String, Integer> shardCounts = new ConcurrentHashMap<>();

    GroupOutcome(TaskStore store, GroupStore groups, long readTimeoutMs) {
        this.store = store;
        this.groups = groups;
        this.readTimeoutMs = readTimeoutMs;
    }

    /** The operations that record in its group the end of {@code done}, a terminal record that created no follow-up. */
    List<CuratorOp> endOps(TaskRecord done) throws Exception {
        try {
            return endOpsOrCorrupt(done);
        } catch (CorruptDataException e) {
            // Recording the outcome matters more than a group that can no longer join (documented).
            LOG.warn("task {} ended outside its group {}: {}", done.id(), done.groupId(), e.getMessage());
            return List.of();
        }
    }

    /** The path of the shard {@code record}'s end writes, or null (not a member, or its group is gone). */
    String shardPath(TaskRecord record) throws Exception {
        if (record.groupId() == null || record.groupIndex() < 0) {
            return null;
        }
        Integer shardCount = shardCounts.get(record.groupId());
        if (shardCount == null) {
            try {
                Versioned<GroupRecord> header = groups.readHeader(record.groupId());
                if (header == null) {
                    return null;
                }
                shardCount = cacheShardCount(record.groupId(), header.value());
            } catch (CorruptDataException e) {
                return null;
            }
        }
        return store.paths().groupShard(record.groupId(), record.groupIndex() % shardCount);
    }

    private int cacheShardCount(String groupId, GroupRecord group) {
        if (shardCounts.size() >= MAX_CACHED_GROUPS) {
            shardCounts.clear();
        }
        shardCounts.put(groupId, group.shards());
        return group.shards();
    }

    private List<CuratorOp> endOpsOrCorrupt(TaskRecord done) throws Exception {
        Integer shardCount = shardCounts.get(done.groupId());
        Versioned<GroupRecord> header = null;
        if (shardCount == null || done.groupIndex() < 0) {
            header = groups.readHeader(done.groupId());
            if (header == null) {
                return List.of(); // pruned after it ended
            }
            shardCount = cacheShardCount(done.groupId(), header.value());
        }
        if (done.groupIndex() < 0) {
            return header.value().state() == GroupState.JOINED ? List.of(groups.setHeader(header.version(),
                    header.value().withState(GroupState.ENDED))) : List.of();
        }
        int position = done.groupIndex() / shardCount;
        Versioned<GroupShard> shard = groups.readShard(done.groupId(), done.groupIndex() % shardCount);
        if (shard == null) {
            return List.of(); // pruned after it ended (shards go before their header)
        }
        if (position >= shard.value().members().size() || shard.value().members().get(position).ended()) {
            LOG.warn("member {} of group {} (task {}) has no open entry in its shard", done.groupIndex(),
                    done.groupId(), done.id());
            return List.of();
        }
        int resultBytes = done.state() == TaskState.SUCCEEDED && done.result() != null ? done.result().length : 0;
        String error = done.state() == TaskState.SUCCEEDED ? null : done.lastError();
        GroupShard next = shard.value().withEnded(position, done.state(), done.id(), error, resultBytes);
        List<CuratorOp> ops = new ArrayList<>(6);
        ops.add(groups.setShard(done.groupId(), shard.version(), next));
        if (!next.complete()) {
            return ops;
        }
        // Only the end of a shard's last member needs the header (read after the shard: its version is checked
        // at commit all the same).
        header = header != null ? header : groups.readHeader(done.groupId());
        if (header == null) {
            return List.of();
        }
        GroupRecord group = header.value();
        GroupRecord counted = group.withShardCompleted();
        if (counted.allShardsComplete() && group.state() == GroupState.OPEN) {
            counted = createJoin(counted, next, done, ops);
        }
        ops.add(groups.setHeader(header.version(), counted));
        return ops;
    }

    /** Adds the join's creation to {@code ops}; returns the header as JOINED (ENDED when there is nothing to run). */
    private GroupRecord createJoin(GroupRecord group, GroupShard last, TaskRecord done, List<CuratorOp> ops)
            throws Exception {
        List<GroupShard> shards = new ArrayList<>(groups.readShards(group));
        shards.set(last.shard(), last);
        List<GroupShard.Entry> members = new ArrayList<>(group.size());
        long resultBytes = 0;
        boolean allSucceeded = true;
        for (int i = 0; i < group.size(); i++) {
            GroupShard.Entry e = shards.get(i % group.shards()).members().get(i / group.shards());
            members.add(e);
            resultBytes += e.resultBytes() == null ? 0 : e.resultBytes();
            allSucceeded &= e.state() == TaskState.SUCCEEDED;
        }
        boolean onFailure = group.joinOnlySucceeded() && !allSucceeded;
        TaskTemplate template = onFailure ? group.onFailure() : group.join();
        if (template == null) {
            LOG.info("group {}: all {} members ended, not all succeeded; no onFailure task, group ENDED", group.id(),
                    group.size());
            return group.joined(null, true);
        }
        List<JoinInput.Member> withResults = JoinInputs.resultsFit(members, resultBytes, group.maxInputBytes())
                ? withResults(members, done) : null;
        byte[] input = JoinInputs.encode(group.id(), members, withResults, group.maxInputBytes());
        long now = System.currentTimeMillis();
        TaskRecord join = TaskRecord.joinOf(TaskIds.newId(now), template, group.id(), input, now);
        ops.addAll(store.submitOps(join, Json.write(join)));
        ops.add(store.announceOp(List.of(PendingEntry.pointerNameOf(join)), List.of()));
        // Logged at INFO by loggedCommitted once the transaction applied: it may yet be refused and built again.
        LOG.debug("group {}: last of {} members ended ({}); {} task {} prepared with the outcome of task {}", group.id(),
                group.size(), JoinInputs.counts(members), onFailure ? "onFailure" : "join", join.id(), done.id());
        return group.joined(join.id(), onFailure);
    }

    /** The members with their results, read from their terminal records (one pipelined read for all). */
    private List<JoinInput.Member> withResults(List<GroupShard.Entry> members, TaskRecord done) throws Exception {
        List<String> paths = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            GroupShard.Entry e = members.get(i);
            if (e.resultBytes() != null && !e.endedBy().equals(done.id())) {
                paths.add(store.paths().doneRecord(TaskState.SUCCEEDED.name(), e.endedBy()));
                indexes.add(i);
            }
        }
        byte[][] results = new byte[members.size()][];
        List<AsyncReads.Result> reads = AsyncReads.getData(store.client(), paths, readTimeoutMs);
        for (int r = 0; r < reads.size(); r++) {
            if (reads.get(r).ok()) {
                try {
                    results[indexes.get(r)] = Json.read(reads.get(r).path(), reads.get(r).data(), TaskRecord.class)
                            .result();
                } catch (CorruptDataException e) {
                    LOG.warn("result of group member {} unreadable: {}", indexes.get(r), e.getMessage());
                }
            }
        }
        List<JoinInput.Member> out = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            GroupShard.Entry e = members.get(i);
            byte[] result = e.endedBy().equals(done.id()) ? done.result() : results[i];
            out.add(new JoinInput.Member(i, e.id(), e.state(), e.endedBy(), result, e.error()));
        }
        return out;
    }

    /**
     * Logs, once a transaction built by {@link TaskStore#recordOps} has applied, the group change it made: the join
     * (or onFailure task) created, or the group ENDED. One INFO line per change, none for a plain member's end.
     */
    void logCommitted(List<CuratorOp> ops) {
        for (CuratorOp op : ops) {
            if (op.get().getType() != org.apache.zookeeper.ZooDefs.OpCode.setData
                    || io.ha.core.internal.ZPaths.below(store.paths().groups(), op.get().getPath()).size() != 2) {
                continue; // not a group's header (a shard, a record)
            }
            byte[] data = ((org.apache.zookeeper.proto.SetDataRequest) op.get().toRequestRecord()).getData();
            GroupRecord group;
            try {
                group = Json.read(op.get().getPath(), data, GroupRecord.class);
            } catch (CorruptDataException e) {
                continue; // written by this process a moment ago: cannot happen, and nothing to log
            }
            if (group.state() == GroupState.JOINED) {
                LOG.info("group {}: all {} members ended; {} task {} created", group.id(), group.size(),
                        group.joinIsOnFailure() ? "onFailure" : "join", group.joinId());
            } else if (group.state() == GroupState.ENDED) {
                LOG.info("group {} ENDED", group.id());
            }
        }
    }
}
