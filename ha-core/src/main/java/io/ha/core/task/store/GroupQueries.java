package io.ha.core.task.store;

import io.ha.core.NoSuchGroupException;
import io.ha.core.task.GroupMember;
import io.ha.core.task.GroupState;
import io.ha.core.task.GroupStatus;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's status (header and shards read together) and its cancellation: the header is marked CANCELLED first,
 * so no join is created afterwards, then every member chain and the join's chain that has not ended is cancelled.
 *
 * <p>Guarantee: after {@link #cancel} returns, no task of the group runs any more by the group's doing (a running
 * handler is interrupted as for any cancel). Not guaranteed: that a member that ended just before is reported
 * CANCELLED; it keeps its outcome.
 */
final class GroupQueries {
    private static final Logger LOG = LoggerFactory.getLogger(GroupQueries.class);
    /** Longest chain followed from a member to its running step. */
    private static final int MAX_CHAIN = 1000;

    private final TaskStore store;
    private final ZooKeeperTaskQueue queue;

    GroupQueries(TaskStore store, ZooKeeperTaskQueue queue) {
        this.store = store;
        this.queue = queue;
    }

    /** @throws NoSuchGroupException naming the id when no group has it */
    GroupStatus status(String groupId) throws Exception {
        GroupRecord group = header(groupId).value();
        List<GroupShard> shards = store.groups().readShards(group);
        List<GroupMember> members = new ArrayList<>(group.size());
        Map<TaskState, Integer> ended = new EnumMap<>(TaskState.class);
        int active = 0;
        for (int i = 0; i < group.size(); i++) {
            GroupShard.Entry e = shards.get(i % group.shards()).members().get(i / group.shards());
            members.add(new GroupMember(i, e.id(), e.state(), e.endedBy(), e.error()));
            if (e.ended()) {
                ended.merge(e.state(), 1, Integer::sum);
            } else {
                active++;
            }
        }
        TaskState joinState = null;
        if (group.joinId() != null) {
            joinState = queue.get(group.joinId()).map(TaskRecord::state).orElse(null);
        }
        return new GroupStatus(group.id(), group.size(), group.state(), ended, active, group.joinId(), joinState,
                group.joinIsOnFailure(), group.createdAt(), members);
    }

    /**
     * @return true when this call cancelled the group, false when it had already ended or been cancelled
     * @throws NoSuchGroupException naming the id when no group has it
     */
    boolean cancel(String groupId) throws Exception {
        Versioned<GroupRecord> header = header(groupId);
        boolean changed = false;
        while (!header.value().state().isFinished()) {
            try {
                store.commit(List.of(store.groups().setHeader(header.version(),
                        header.value().withState(GroupState.CANCELLED))));
                changed = true;
                LOG.info("group {} CANCELLED ({} members, was {})", groupId, header.value().size(),
                        header.value().state());
                break;
            } catch (KeeperException.BadVersionException e) {
                header = header(groupId); // a member's outcome counted a shard first
            }
        }
        if (header.value().state() == GroupState.ENDED) {
            return false;
        }
        // Also when it was CANCELLED before: a cancel that stopped half-way is finished by the next one.
        GroupRecord group = store.groups().readHeader(groupId).value();
        for (GroupShard shard : store.groups().readShards(group)) {
            for (GroupShard.Entry e : shard.members()) {
                if (!e.ended()) {
                    cancelChain(e.id());
                }
            }
        }
        if (group.joinId() != null) {
            cancelChain(group.joinId());
        }
        return changed;
    }

    /** Cancels the step of the chain starting at {@code taskId} that has not ended, if any. */
    private void cancelChain(String taskId) throws Exception {
        String id = taskId;
        for (int step = 0; step < MAX_CHAIN && id != null; step++) {
            Optional<TaskRecord> record = queue.get(id);
            if (record.isEmpty()) {
                return; // pruned, or stored by a submit that was cancelled mid-way
            }
            if (!record.get().state().isTerminal() && queue.cancel(id)) {
                return;
            }
            TaskRecord done = queue.get(id).orElse(null);
            id = done == null || done.children().isEmpty() ? null : done.children().get(0);
        }
    }

    private Versioned<GroupRecord> header(String groupId) throws Exception {
        if (!TaskIds.isValid(groupId)) {
            throw new NoSuchGroupException(String.valueOf(groupId));
        }
        Versioned<GroupRecord> header = store.groups().readHeader(groupId);
        if (header == null) {
            throw new NoSuchGroupException(groupId);
        }
        return header;
    }
}
