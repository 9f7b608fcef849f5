package io.ha.core.task.store;

import io.ha.core.HaException;
import io.ha.core.TaskRejectedException;
import io.ha.core.internal.Json;
import io.ha.core.task.GroupSpec;
import io.ha.core.task.GroupState;
import io.ha.core.task.GroupSubmission;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskTemplate;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a fan-in group: its header, its shards and its members, in as few transactions as the batch limits allow.
 * The first creates the header as SUBMITTING (OPEN when one transaction holds everything); each later one checks the
 * header's version (so a group cancelled meanwhile gets no more members), and the last marks it OPEN. A member
 * outcome never creates the join of a SUBMITTING group, and the last transaction adds a member that has not ended,
 * so the join is created by a member's outcome, never here.
 *
 * <p>Guarantee: every member is stored with its shard entry before it can run. Not guaranteed: a submitter that
 * crashes mid-way leaves a SUBMITTING group whose stored members run but never join; {@code cancelGroup} ends it.
 */
final class GroupSubmitter {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSubmitter.class);

    private final TaskStore store;
    private final TaskMetrics metrics;
    private final int maxPayloadBytes;

    GroupSubmitter(TaskStore store, TaskMetrics metrics, int maxPayloadBytes) {
        this.store = store;
        this.metrics = metrics;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** One node to create: a shard or a member (its record, pointer and nothing else). */
    private record Item(GroupShard shard, TaskRecord member, byte[] encoded) {
    }

    GroupSubmission submit(GroupSpec spec) throws Exception {
        List<TaskSpec> specs = spec.members();
        for (int i = 0; i < specs.size(); i++) {
            check("member #" + i, specs.get(i));
        }
        check("join", spec.join());
        if (spec.onFailure() != null) {
            check("onFailure task", spec.onFailure());
        }
        long now = System.currentTimeMillis();
        String groupId = TaskIds.newId(now);
        int shards = GroupRecord.shardsFor(specs.size());
        List<String> ids = new ArrayList<>(specs.size());
        List<Item> items = new ArrayList<>(shards + specs.size());
        for (int i = 0; i < specs.size(); i++) {
            ids.add(TaskIds.newId(now));
        }
        for (int k = 0; k < shards; k++) {
            GroupShard shard = GroupShard.initial(k, shards, ids);
            items.add(new Item(shard, null, Json.write(shard)));
        }
        for (int i = 0; i < specs.size(); i++) {
            TaskRecord member = TaskRecord.create(ids.get(i), specs.get(i), now).inGroup(groupId, i);
            byte[] data = Json.write(member);
            if (data.length > ZooKeeperTaskQueue.MAX_RECORD_BYTES) {
                throw new TaskRejectedException("member #" + i + " of type '" + member.type() + "' encodes to "
                        + data.length + " bytes with its follow-ups, over the limit of "
                        + ZooKeeperTaskQueue.MAX_RECORD_BYTES + " bytes per task record");
            }
            items.add(new Item(null, member, data));
        }
        GroupRecord header = new GroupRecord(groupId, specs.size(), shards, spec.joinOnlySucceeded(),
                TaskTemplate.of(spec.join()), spec.onFailure() == null ? null : TaskTemplate.of(spec.onFailure()),
                GroupState.SUBMITTING, 0, null, false, now, maxPayloadBytes);
        int headerBytes = Json.write(header).length;
        if (headerBytes > ZooKeeperTaskQueue.MAX_RECORD_BYTES) {
            throw new TaskRejectedException("the join and onFailure tasks of the group encode to " + headerBytes
                    + " bytes, over the limit of " + ZooKeeperTaskQueue.MAX_RECORD_BYTES + " bytes per group record");
        }
        store.groups().ensureBucket(groupId);
        List<List<Item>> chunks = chunks(items, headerBytes);
        Versioned<GroupRecord> current = null;
        for (int c = 0; c < chunks.size(); c++) {
            current = commitChunk(header, current, chunks.get(c), c == chunks.size() - 1);
        }
        LOG.info("group {} submitted: {} members in {} shards, {} transactions", groupId, specs.size(), shards,
                chunks.size());
        return new GroupSubmission(groupId, ids);
    }

    /** Commits one chunk; returns the header as it stands after it. */
    private Versioned<GroupRecord> commitChunk(GroupRecord header, Versioned<GroupRecord> current, List<Item> chunk,
                                               boolean last) throws Exception {
        while (true) {
            List<CuratorOp> ops = new ArrayList<>(chunk.size() * 2 + 3);
            GroupRecord written = null;
            if (current == null) {
                written = header.withState(last ? GroupState.OPEN : GroupState.SUBMITTING);
                ops.add(store.groups().createHeader(written));
            } else if (last) {
                written = current.value().withState(GroupState.OPEN);
                ops.add(store.groups().setHeader(current.version(), written));
            } else {
                ops.add(store.groups().checkHeader(header.id(), current.version()));
            }
            List<String> pointers = new ArrayList<>();
            int members = 0;
            for (Item item : chunk) {
                if (item.shard() != null) {
                    ops.add(store.groups().createShard(header.id(), item.shard()));
                } else {
                    ops.addAll(store.submitOps(item.member(), item.encoded()));
                    pointers.add(PendingEntry.pointerNameOf(item.member()));
                    members++;
                }
            }
            if (!pointers.isEmpty()) {
                ops.add(store.announceOp(pointers, List.of()));
            }
            try {
                store.commit(ops);
                metrics.recordSubmitted(members);
                if (written != null) {
                    return new Versioned<>(written, current == null ? 0 : current.version() + 1);
                }
                return current;
            } catch (KeeperException.NodeExistsException e) {
                // Applied, its reply lost (Curator sent it again after a connection loss: multi() is atomic, so
                // the first node of the chunk tells), or a clash nobody can fix.
                if (!stored(header.id(), current == null, chunk.get(0))) {
                    throw new HaException("submit of group " + header.id() + " failed: " + e.getMessage(), e);
                }
                metrics.recordSubmitted(members);
                return fresh(header.id());
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                // The header changed: a member's outcome completed a shard (go on), or the group was cancelled.
                current = fresh(header.id());
            }
        }
    }

    private Versioned<GroupRecord> fresh(String groupId) throws Exception {
        Versioned<GroupRecord> now = store.groups().readHeader(groupId);
        if (now == null) {
            throw new HaException("group " + groupId + " vanished while it was being submitted");
        }
        if (now.value().state() == GroupState.CANCELLED) {
            throw new HaException("group " + groupId + " was cancelled while it was being submitted; the members "
                    + "stored so far were cancelled with it");
        }
        return now;
    }

    private boolean stored(String groupId, boolean first, Item item) throws Exception {
        String path = first ? store.paths().group(groupId)
                : item.shard() != null ? store.paths().groupShard(groupId, item.shard().shard())
                : store.paths().task(item.member().id());
        return store.client().checkExists().forPath(path) != null
                || (item.member() != null && store.readDone(item.member().id()) != null);
    }

    /** Items in chunks of at most 300 nodes or 512 KiB, the header counted in the first. */
    private static List<List<Item>> chunks(List<Item> items, int headerBytes) {
        List<List<Item>> out = new ArrayList<>();
        List<Item> chunk = new ArrayList<>();
        int bytes = headerBytes;
        for (Item item : items) {
            if (!chunk.isEmpty() && (chunk.size() >= ZooKeeperTaskQueue.SUBMIT_BATCH_TASKS
                    || bytes + item.encoded().length > ZooKeeperTaskQueue.SUBMIT_BATCH_BYTES)) {
                out.add(chunk);
                chunk = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(item);
            bytes += item.encoded().length;
        }
        out.add(chunk);
        return out;
    }

    /** @throws TaskRejectedException naming {@code what} when the task cannot be part of a group */
    private void check(String what, TaskSpec spec) {
        if (spec.payload().length > maxPayloadBytes) {
            throw new TaskRejectedException("payload of the group's " + what + " of type '" + spec.type() + "' is "
                    + spec.payload().length + " bytes, over the limit of " + maxPayloadBytes + " bytes");
        }
        if (spec.idempotencyKey() != null) {
            throw new TaskRejectedException("the group's " + what + " of type '" + spec.type() + "' must not carry "
                    + "an idempotency key: a group's tasks are created exactly once, with the group");
        }
        String fanOut = fanOut(spec);
        if (fanOut != null) {
            throw new TaskRejectedException("the group's " + what + " fans out: " + fanOut + "; a chain in a group "
                    + "may have at most one follow-up per outcome");
        }
        TaskTemplate.of(spec); // refuses follow-ups with idempotency keys
    }

    private static String fanOut(TaskSpec step) {
        if (step.then().size() > 1 || step.onFailure().size() > 1) {
            return "its step of type '" + step.type() + "' has " + step.then().size() + " follow-ups on success and "
                    + step.onFailure().size() + " on failure";
        }
        for (TaskSpec next : step.then()) {
            String found = fanOut(next);
            if (found != null) {
                return found;
            }
        }
        for (TaskSpec next : step.onFailure()) {
            String found = fanOut(next);
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}
