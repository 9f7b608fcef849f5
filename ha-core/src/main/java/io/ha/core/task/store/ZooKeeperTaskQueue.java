package io.ha.core.task.store;

import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import io.ha.core.HaException;
import io.ha.core.NoSuchTaskException;
import io.ha.core.TaskRejectedException;
import io.ha.core.internal.Json;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.GroupSpec;
import io.ha.core.task.GroupStatus;
import io.ha.core.task.GroupSubmission;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskPage;
import io.ha.core.task.TaskProgress;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * The task queue on ZooKeeper: submits and cancels as transactions of {@link TaskStore}; reads through
 * {@link TaskReader}. Usable from any process connected to the cluster (agents, observers, CLIs).
 *
 * <p>Guarantees: a submit that returns has stored the task durably (a ZooKeeper transaction acknowledged by a quorum);
 * it is never lost afterwards, whatever agents, leaders or servers fail. Submits with the same idempotency key
 * return the id of the first task and add nothing. Execution is at-least-once; the outcome is recorded exactly once.
 * Not guaranteed: ordering between tasks beyond "higher priority first, then older first" on a best-effort basis.
 */
public final class ZooKeeperTaskQueue implements TaskQueue, Closeable {
    /** Largest stored record (payload, base64-encoded, plus follow-ups and history), well below jute.maxbuffer. */
    static final int MAX_RECORD_BYTES = 900 * 1024;
    static final int SUBMIT_BATCH_TASKS = 300;
    static final int SUBMIT_BATCH_BYTES = 512 * 1024;

    private final ClusterContext ctx;
    private final TaskStore store;
    private final int maxPayloadBytes;
    private final TaskMetrics metrics;
    private final TaskReader reader;
    private final TaskRetrier retrier;
    private final OutcomeFutures futures;
    private final GroupSubmitter groupSubmitter;
    private final GroupQueries groupQueries;

    public ZooKeeperTaskQueue(ClusterContext ctx, int maxPayloadBytes, TaskMetrics metrics) {
        Preconditions.checkArgument(maxPayloadBytes >= 0 && maxPayloadBytes <= MAX_PAYLOAD_CEILING,
                "task payload limit must be in 0-%s bytes, got %s", MAX_PAYLOAD_CEILING, maxPayloadBytes);
        this.ctx = ctx;
        this.store = new TaskStore(ctx.client(), ctx.paths());
        this.maxPayloadBytes = maxPayloadBytes;
        this.metrics = metrics;
        this.reader = new TaskReader(ctx, store);
        this.retrier = new TaskRetrier(ctx, store, reader);
        this.futures = new OutcomeFutures(ctx, reader);
        this.groupSubmitter = new GroupSubmitter(store, metrics, maxPayloadBytes);
        this.groupQueries = new GroupQueries(store, this);
    }

    public TaskStore store() {
        return store;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** Stores one task; returns its id (the existing one for a known idempotency key). */
    public String submit(TaskSpec spec) throws Exception {
        return submitAll(List.of(spec)).get(0);
    }

    /**
     * Stores many tasks with as few transactions as possible: up to 300 tasks (or 512 KiB) per transaction, each
     * transaction all-or-nothing. Returns the ids in the order of {@code specs}.
     *
     * @throws TaskRejectedException before storing anything when a spec breaks a limit (names the task and limit)
     */
    public List<String> submitAll(List<TaskSpec> specs) throws Exception {
        for (int i = 0; i < specs.size(); i++) {
            TaskSpec spec = specs.get(i);
            if (spec.payload().length > maxPayloadBytes) {
                throw new TaskRejectedException("payload of task " + (specs.size() > 1 ? "#" + i + " " : "")
                        + "of type '" + spec.type() + "' is " + spec.payload().length + " bytes, over the limit of "
                        + maxPayloadBytes + " bytes");
            }
        }
        long now = System.currentTimeMillis();
        String[] ids = new String[specs.size()];
        Map<String, String> idsByKey = new HashMap<>();
        List<TaskRecord> fresh = new ArrayList<>();
        List<byte[]> encodedAll = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            TaskSpec spec = specs.get(i);
            String key = spec.idempotencyKey();
            if (key != null && idsByKey.containsKey(key)) {
                ids[i] = idsByKey.get(key);
                continue;
            }
            String id = TaskIds.newId(now);
            if (key != null) {
                idsByKey.put(key, id);
            }
            ids[i] = id;
            TaskRecord record = TaskRecord.create(id, spec, now);
            byte[] data = Json.write(record);
            if (data.length > MAX_RECORD_BYTES) {
                throw new TaskRejectedException("task " + (specs.size() > 1 ? "#" + i + " " : "") + "of type '"
                        + spec.type() + "' encodes to " + data.length + " bytes with its follow-ups, over the limit"
                        + " of " + MAX_RECORD_BYTES + " bytes per task record");
            }
            fresh.add(record);
            encodedAll.add(data);
        }
        int from = 0;
        while (from < fresh.size()) {
            int to = from;
            int bytes = 0;
            List<byte[]> encoded = new ArrayList<>();
            while (to < fresh.size() && to - from < SUBMIT_BATCH_TASKS) {
                byte[] data = encodedAll.get(to);
                if (to > from && bytes + data.length > SUBMIT_BATCH_BYTES) {
                    break;
                }
                encoded.add(data);
                bytes += data.length;
                to++;
            }
            Map<String, String> existing = commitSubmit(fresh.subList(from, to), encoded);
            for (int i = from; i < to; i++) {
                String key = fresh.get(i).idempotencyKey();
                if (key != null && existing.containsKey(key)) {
                    for (int p = 0; p < ids.length; p++) {
                        if (ids[p].equals(fresh.get(i).id())) {
                            ids[p] = existing.get(key);
                        }
                    }
                }
            }
            from = to;
        }
        return List.of(ids);
    }

    /**
     * Commits one chunk; tasks whose idempotency key already exists are left out (their existing ids returned by
     * key), retrying until the rest commits.
     */
    private Map<String, String> commitSubmit(List<TaskRecord> chunk, List<byte[]> encoded) throws Exception {
        Map<String, String> existing = new HashMap<>();
        while (true) {
            List<CuratorOp> ops = new ArrayList<>();
            List<String> pointers = new ArrayList<>();
            int stored = 0;
            for (int i = 0; i < chunk.size(); i++) {
                TaskRecord record = chunk.get(i);
                if (record.idempotencyKey() == null || !existing.containsKey(record.idempotencyKey())) {
                    ops.addAll(store.submitOps(record, encoded.get(i)));
                    pointers.add(PendingEntry.pointerNameOf(record));
                    stored++;
                }
            }
            if (ops.isEmpty()) {
                return existing;
            }
            ops.add(store.announceOp(pointers, List.of()));
            try {
                store.commit(ops);
                metrics.recordSubmitted(stored);
                return existing;
            } catch (KeeperException.NodeExistsException e) {
                // Either this very transaction was applied but its reply lost (Curator retried it after a connection
                // loss: the whole chunk exists, as multi() is atomic), or an idempotency key is taken.
                if (alreadyStored(chunk, existing)) {
                    metrics.recordSubmitted(stored);
                    return existing;
                }
                boolean found = false;
                for (TaskRecord record : chunk) {
                    String key = record.idempotencyKey();
                    if (key != null && !existing.containsKey(key)) {
                        String id = store.taskIdForKey(key);
                        if (id != null) {
                            existing.put(key, id);
                            found = true;
                        }
                    }
                }
                if (!found) {
                    throw new HaException("submit failed: " + e.getMessage(), e);
                }
            }
        }
    }

    /** True when the chunk's first task that was to be stored exists (active or already ended). */
    private boolean alreadyStored(List<TaskRecord> chunk, Map<String, String> existing) throws Exception {
        for (TaskRecord record : chunk) {
            if (record.idempotencyKey() == null || !existing.containsKey(record.idempotencyKey())) {
                return store.client().checkExists().forPath(ctx.paths().task(record.id())) != null
                        || store.readDone(record.id()) != null;
            }
        }
        return false;
    }

    /**
     * Cancels a task that has not ended: a pending one never runs; a running one's handler is interrupted and its
     * outcome dropped. Records CANCELLED exactly once.
     *
     * @return true when this call cancelled it, false when it had already ended
     * @throws NoSuchTaskException when no task has this id
     */
    public boolean cancel(String taskId) throws Exception {
        TaskIds.check(taskId);
        while (true) {
            Versioned<TaskRecord> active;
            try {
                active = store.readActive(taskId);
            } catch (CorruptDataException e) {
                store.deadLetterCorrupt(taskId, e, List.of());
                return false;
            }
            if (active == null) {
                if (store.readDone(taskId) == null) {
                    throw new NoSuchTaskException(taskId);
                }
                return false;
            }
            TaskRecord record = active.value();
            TaskRecord cancelled = record.ended(TaskState.CANCELLED, "cancelled", System.currentTimeMillis());
            List<CuratorOp> ops = new ArrayList<>();
            if (record.state() == TaskState.PENDING) {
                // Pending, or assigned by the leader and not yet claimed (the record says PENDING until the agent
                // claims it): remove whichever of pointer and assignment holds it, with the record's version check.
                String pointer = reader.pointerName(record);
                String agent = pointer != null ? null : reader.assignee(taskId);
                if (pointer == null && agent == null) {
                    // Neither yet: the leader's move is between its two nodes' watchers, or the task just moved on.
                    continue;
                }
                ops.add(ctx.client().transactionOp().delete().forPath(agent == null
                        ? ctx.paths().pendingPointer(taskId, pointer) : ctx.paths().assignment(agent, taskId)));
                if (agent == null) {
                    ops.add(store.announceOp(List.of(), List.of(pointer)));
                }
            } else if (record.agent() != null) {
                String assignment = ctx.paths().assignment(record.agent(), taskId);
                if (ctx.client().checkExists().forPath(assignment) != null) {
                    ops.add(ctx.client().transactionOp().delete().forPath(assignment));
                }
            }
            ops.addAll(store.recordOps(active, cancelled));
            try {
                store.commit(ops);
                store.logCommitted(ops);
                metrics.recordEnded(TaskState.CANCELLED);
                return true;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                // It moved meanwhile (assigned, started, retried or ended): look again.
            }
        }
    }

    @Override
    public TaskRecord retry(String taskId) throws Exception {
        return retrier.retry(taskId);
    }

    @Override
    public List<TaskRecord> retryAll(TaskState state, String type, int limit) throws Exception {
        return retrier.retryAll(state, type, limit);
    }

    @Override
    public CompletableFuture<TaskRecord> future(String taskId) {
        return futures.future(taskId);
    }

    /** Removes the futures' watch (before the client closes) and fails the futures still outstanding. */
    @Override
    public void close() {
        futures.close();
    }

    @Override
    public GroupSubmission submitGroup(GroupSpec group) throws Exception {
        return groupSubmitter.submit(group);
    }

    @Override
    public GroupStatus group(String groupId) throws Exception {
        return groupQueries.status(groupId);
    }

    @Override
    public boolean cancelGroup(String groupId) throws Exception {
        return groupQueries.cancel(groupId);
    }

    @Override
    public Optional<TaskRecord> get(String taskId) throws Exception {
        return reader.get(taskId);
    }

    @Override
    public Optional<TaskProgress> progress(String taskId) throws Exception {
        return reader.progress(taskId);
    }

    @Override
    public TaskRecord await(String taskId, Duration timeout) throws Exception {
        return reader.await(taskId, timeout);
    }

    @Override
    public Map<TaskState, Long> counts() throws Exception {
        return reader.counts();
    }

    @Override
    public List<TaskRecord> list(TaskState state, int limit) throws Exception {
        return reader.list(state, limit);
    }

    @Override
    public TaskPage page(TaskState state, String type, String cursor, int limit) throws Exception {
        return reader.page(state, type, cursor, limit);
    }

    @Override
    public Optional<TaskRecord> findByKey(String idempotencyKey) throws Exception {
        return reader.findByKey(idempotencyKey);
    }
}
