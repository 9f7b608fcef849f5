package io.ha.core.task.store;

import com.google.common.base.Preconditions;
import com.google.common.base.Strings;
import io.ha.core.CorruptDataException;
import io.ha.core.HaException;
import io.ha.core.NoSuchTaskException;
import io.ha.core.TaskRejectedException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.internal.Json;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.task.store.PendingEntry;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.Versioned;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Submit and inspect tasks. Usable from any process connected to the cluster (agents, observers, CLIs).
 *
 * <p>Guarantees: a submit that returns has stored the task durably (a ZooKeeper transaction acknowledged by a quorum);
 * it is never lost afterwards, whatever agents, leaders or servers fail. Submits with the same idempotency key
 * return the id of the first task and add nothing. Execution is at-least-once; the outcome is recorded exactly once.
 * Not guaranteed: ordering between tasks beyond "higher priority first, then older first" on a best-effort basis.
 */
public final class ZooKeeperTaskQueue implements TaskQueue {
    /** Default payload limit, 256 KiB. */
    public static final int DEFAULT_MAX_PAYLOAD = 256 * 1024;
    /** Hard ceiling for the payload limit: the whole record must stay well below jute.maxbuffer (1 MiB). */
    public static final int MAX_PAYLOAD_CEILING = 512 * 1024;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{11}-[0-9a-f]{12}");
    /** Largest stored record (payload, base64-encoded, plus follow-ups and history), well below jute.maxbuffer. */
    static final int MAX_RECORD_BYTES = 900 * 1024;
    private static final int SUBMIT_BATCH_TASKS = 300;
    private static final int SUBMIT_BATCH_BYTES = 512 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final java.util.concurrent.atomic.AtomicInteger SEQUENCE =
            new java.util.concurrent.atomic.AtomicInteger(RANDOM.nextInt());

    private final ClusterContext ctx;
    private final TaskStore store;
    private final int maxPayloadBytes;
    private final TaskMetrics metrics;

    public ZooKeeperTaskQueue(ClusterContext ctx, int maxPayloadBytes, TaskMetrics metrics) {
        Preconditions.checkArgument(maxPayloadBytes >= 0 && maxPayloadBytes <= MAX_PAYLOAD_CEILING,
                "task payload limit must be in 0-%s bytes, got %s", MAX_PAYLOAD_CEILING, maxPayloadBytes);
        this.ctx = ctx;
        this.store = new TaskStore(ctx.client(), ctx.paths());
        this.maxPayloadBytes = maxPayloadBytes;
        this.metrics = metrics;
    }

    public TaskStore store() {
        return store;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /**
     * A new, time-ordered task id: {@code <11 hex digits of millis>-<4 hex digits of a per-process sequence><8
     * random hex digits>}. The sequence keeps one submitter's tasks of the same millisecond in submit order (FIFO);
     * the random part keeps ids of different processes apart.
     */
    public static String newId(long now) {
        // Built by hand rather than with String.format, which cost a few percent of the queue's CPU.
        return Strings.padStart(Long.toHexString(now), 11, '0') + '-'
                + Strings.padStart(Integer.toHexString(SEQUENCE.getAndIncrement() & 0xffff), 4, '0')
                + Strings.padStart(Integer.toHexString(RANDOM.nextInt()), 8, '0');
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
            String id = newId(now);
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

    private static void checkId(String taskId) {
        if (taskId == null || !ID.matcher(taskId).matches()) {
            throw new NoSuchTaskException(String.valueOf(taskId));
        }
    }

    /** The task as stored now, or empty when no task has this id. */
    public Optional<TaskRecord> get(String taskId) throws Exception {
        if (taskId == null || !ID.matcher(taskId).matches()) {
            return Optional.empty();
        }
        Versioned<TaskRecord> active = store.readActive(taskId);
        if (active != null) {
            if (active.value().state() == TaskState.PENDING && !isPointed(active.value())) {
                String agent = assignee(taskId);
                return Optional.of(agent == null ? active.value() : active.value().asAssignedTo(agent));
            }
            return Optional.of(active.value());
        }
        return Optional.ofNullable(store.readDone(taskId));
    }

    /** Whether a PENDING record's pointer exists; when it does not, the leader has just assigned the task. */
    private boolean isPointed(TaskRecord record) throws Exception {
        return ctx.client().checkExists().forPath(ctx.paths().pendingPointer(record.id(), PendingEntry.pointerNameOf(record)))
                != null;
    }

    /** The agent holding an assignment of the task, or null (one pipelined existence check per agent). */
    private String assignee(String taskId) throws Exception {
        List<String> agents;
        try {
            agents = ctx.client().getChildren().forPath(ctx.paths().assigned());
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        List<AsyncReads.Result> found = AsyncReads.exists(ctx.client(),
                agents.stream().map(a -> ctx.paths().assignment(a, taskId)).toList(), ctx.sessionTimeout().toMillis());
        for (int i = 0; i < agents.size(); i++) {
            if (found.get(i).ok() && found.get(i).stat() != null) {
                return agents.get(i);
            }
        }
        return null;
    }

    /**
     * Cancels a task that has not ended: a pending one never runs; a running one's handler is interrupted and its
     * outcome dropped. Records CANCELLED exactly once.
     *
     * @return true when this call cancelled it, false when it had already ended
     * @throws NoSuchTaskException when no task has this id
     */
    public boolean cancel(String taskId) throws Exception {
        checkId(taskId);
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
                String agent = isPointed(record) ? null : assignee(taskId);
                ops.add(ctx.client().transactionOp().delete().forPath(agent == null
                        ? ctx.paths().pendingPointer(taskId, PendingEntry.pointerNameOf(record))
                        : ctx.paths().assignment(agent, taskId)));
                if (agent == null) {
                    ops.add(store.announceOp(List.of(), List.of(PendingEntry.pointerNameOf(record))));
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
                metrics.recordEnded(TaskState.CANCELLED);
                return true;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                // It moved meanwhile (assigned, started, retried or ended): look again.
            }
        }
    }

    /**
     * Waits until the task ends and returns its terminal record.
     *
     * @throws TimeoutException     naming the task and its state when it has not ended in time
     * @throws NoSuchTaskException  when no task has this id
     */
    public TaskRecord await(String taskId, Duration timeout) throws Exception {
        checkId(taskId);
        long deadline = System.nanoTime() + timeout.toNanos();
        String path = ctx.paths().task(taskId);
        while (true) {
            CountDownLatch changed = new CountDownLatch(1);
            Stat stat = ctx.client().checkExists().usingWatcher(
                    (org.apache.zookeeper.Watcher) event -> changed.countDown()).forPath(path);
            if (stat == null) {
                TaskRecord done = store.readDone(taskId);
                if (done != null) {
                    return done;
                }
                // The active record is deleted and the terminal one created in one transaction: neither means no task.
                throw new NoSuchTaskException(taskId);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS)) {
                TaskRecord current = get(taskId).orElseThrow(() -> new NoSuchTaskException(taskId));
                if (current.state().isTerminal()) {
                    return current;
                }
                throw new TimeoutException("task " + taskId + " did not end within " + timeout.toMillis()
                        + " ms; it is " + current.state());
            }
        }
    }

    /** Number of tasks per state, read from directory sizes (and, for in-flight tasks, their records). */
    public Map<TaskState, Long> counts() throws Exception {
        Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
        for (TaskState s : TaskState.values()) {
            counts.put(s, 0L);
        }
        counts.put(TaskState.PENDING, sumChildren(Buckets.all().stream().map(ctx.paths()::pendingBucket).toList()));
        for (TaskState s : TaskState.values()) {
            if (s.isTerminal()) {
                counts.put(s, sumChildren(Buckets.all().stream().map(b -> ctx.paths().doneBucket(s.name(), b))
                        .toList()));
            }
        }
        for (TaskRecord r : inFlight(Integer.MAX_VALUE)) {
            counts.merge(r.state(), 1L, Long::sum);
        }
        return counts;
    }

    private long sumChildren(List<String> dirs) throws Exception {
        long sum = 0;
        for (AsyncReads.Result r : AsyncReads.exists(ctx.client(), dirs, ctx.sessionTimeout().toMillis())) {
            if (r.ok() && r.stat() != null) {
                sum += r.stat().getNumChildren();
            }
        }
        return sum;
    }

    /** Records of assigned and running tasks (read from the agents' assignment directories). */
    private List<TaskRecord> inFlight(int limit) throws Exception {
        long timeout = ctx.sessionTimeout().toMillis();
        List<String> agents;
        try {
            agents = ctx.client().getChildren().forPath(ctx.paths().assigned());
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<String> taskPaths = new ArrayList<>();
        List<String> holders = new ArrayList<>();
        List<AsyncReads.Result> dirs = AsyncReads.children(ctx.client(),
                agents.stream().map(ctx.paths()::assignedDir).toList(), timeout);
        for (int i = 0; i < agents.size(); i++) {
            if (dirs.get(i).ok()) {
                for (String id : dirs.get(i).children()) {
                    taskPaths.add(ctx.paths().task(id));
                    holders.add(agents.get(i));
                }
            }
        }
        List<TaskRecord> out = new ArrayList<>();
        List<AsyncReads.Result> reads = AsyncReads.getData(ctx.client(), taskPaths, timeout);
        for (int i = 0; i < reads.size() && out.size() < limit; i++) {
            TaskRecord record = decode(reads.get(i));
            if (record != null) {
                // Not yet claimed by the agent, the record still says PENDING: it is the agent's all the same.
                out.add(record.asAssignedTo(holders.get(i)));
            }
        }
        return out;
    }

    private List<TaskRecord> readRecords(List<String> recordPaths, int limit) throws Exception {
        List<TaskRecord> out = new ArrayList<>();
        for (AsyncReads.Result r : AsyncReads.getData(ctx.client(), recordPaths, ctx.sessionTimeout().toMillis())) {
            if (out.size() >= limit) {
                break;
            }
            TaskRecord record = decode(r);
            if (record != null) {
                out.add(record);
            }
        }
        return out;
    }

    /**
     * A listed record, or null when it is gone or corrupt (a listing skips it: a corrupt record is sent to DEAD by
     * the dispatcher or the agent that next acts on the task).
     */
    private static TaskRecord decode(AsyncReads.Result read) {
        if (!read.ok()) {
            return null;
        }
        try {
            return Json.read(read.path(), read.data(), TaskRecord.class);
        } catch (CorruptDataException e) {
            return null;
        }
    }

    /**
     * Up to {@code limit} tasks in {@code state}: pending ones in dispatch order (priority, then age), others
     * newest first.
     */
    public List<TaskRecord> list(TaskState state, int limit) throws Exception {
        Preconditions.checkArgument(limit >= 1 && limit <= 10_000, "list limit must be in 1-10000, got %s", limit);
        long timeout = ctx.sessionTimeout().toMillis();
        if (state == TaskState.ASSIGNED || state == TaskState.RUNNING) {
            return inFlight(Integer.MAX_VALUE).stream().filter(r -> r.state() == state)
                    .sorted(Comparator.comparing(TaskRecord::id).reversed()).limit(limit).toList();
        }
        if (state == TaskState.PENDING) {
            List<PendingEntry> entries = new ArrayList<>();
            for (AsyncReads.Result r : AsyncReads.children(ctx.client(),
                    Buckets.all().stream().map(ctx.paths()::pendingBucket).toList(), timeout)) {
                if (r.ok()) {
                    r.children().stream().map(PendingEntry::parse).filter(e -> e != null).forEach(entries::add);
                }
            }
            entries.sort(PendingEntry.ORDER);
            return readRecords(entries.stream().limit(limit).map(e -> ctx.paths().task(e.taskId())).toList(), limit);
        }
        List<String> ids = new ArrayList<>();
        for (AsyncReads.Result r : AsyncReads.children(ctx.client(),
                Buckets.all().stream().map(b -> ctx.paths().doneBucket(state.name(), b)).toList(), timeout)) {
            if (r.ok()) {
                ids.addAll(r.children());
            }
        }
        ids.sort(Comparator.reverseOrder());
        return readRecords(ids.stream().limit(limit).map(id -> ctx.paths().doneRecord(state.name(), id)).toList(),
                limit);
    }
}
