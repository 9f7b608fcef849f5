package io.ha.core.task.store;

import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import io.ha.core.NoSuchTaskException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.internal.Json;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskPage;
import io.ha.core.task.TaskProgress;
import io.ha.core.task.TaskQueries;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The reads of the task queue: one record, listings, counts from directory sizes, and waits for an outcome.
 *
 * <p>Guarantee: a task the leader has moved to an agent but that agent has not yet claimed (its stored record still
 * says PENDING, its pointer is gone) reads as ASSIGNED to that agent, in {@link #get}, {@link #list} and
 * {@link #counts} alike. Not guaranteed: one snapshot across tasks (listings and counts read many nodes while tasks
 * move); corrupt records are skipped by listings (the dispatcher or the agent sends them to DEAD).
 */
public final class TaskReader implements TaskQueries {
    private final ClusterContext ctx;
    private final TaskStore store;
    private final TaskPager pager;

    public TaskReader(ClusterContext ctx, TaskStore store) {
        this.ctx = ctx;
        this.store = store;
        this.pager = new TaskPager(ctx, this);
    }

    @Override
    public TaskPage page(TaskState state, String type, String cursor, int limit) throws Exception {
        return pager.page(state, type, cursor, limit);
    }

    @Override
    public Optional<TaskRecord> findByKey(String idempotencyKey) throws Exception {
        if (idempotencyKey == null || idempotencyKey.isEmpty()) {
            return Optional.empty();
        }
        String id = store.taskIdForKey(idempotencyKey);
        return id == null ? Optional.empty() : get(id);
    }

    /** The task as stored now, or empty when no task has this id. */
    @Override
    public Optional<TaskRecord> get(String taskId) throws Exception {
        if (!TaskIds.isValid(taskId)) {
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

    @Override
    public Optional<TaskProgress> progress(String taskId) throws Exception {
        if (!TaskIds.isValid(taskId)) {
            return Optional.empty();
        }
        Versioned<TaskRecord> active = store.readActive(taskId);
        if (active == null || active.value().state() != TaskState.RUNNING || active.value().agent() == null) {
            return Optional.empty();
        }
        Versioned<Assignment> assignment = store.readAssignment(active.value().agent(), taskId);
        if (assignment == null || assignment.value().progress() < 0) {
            return Optional.empty();
        }
        Assignment a = assignment.value();
        return Optional.of(new TaskProgress(taskId, a.agent(), active.value().attempt(), a.progress(),
                a.progressMessage()));
    }

    /** Whether a PENDING record's pointer exists; when it does not, the leader has just assigned the task. */
    boolean isPointed(TaskRecord record) throws Exception {
        return pointerName(record) != null;
    }

    /**
     * The name of a PENDING record's pointer as it exists: the current format, or the former one (a task submitted
     * by an older version); null when neither exists (the leader has just assigned it).
     */
    String pointerName(TaskRecord record) throws Exception {
        for (String name : List.of(PendingEntry.pointerNameOf(record), PendingEntry.formerPointerNameOf(record))) {
            if (ctx.client().checkExists().forPath(ctx.paths().pendingPointer(record.id(), name)) != null) {
                return name;
            }
        }
        return null;
    }

    /** The agent holding an assignment of the task, or null (one pipelined existence check per agent). */
    String assignee(String taskId) throws Exception {
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
     * Waits until the task ends and returns its terminal record.
     *
     * @throws TimeoutException     naming the task and its state when it has not ended in time
     * @throws NoSuchTaskException  when no task has this id
     */
    @Override
    public TaskRecord await(String taskId, Duration timeout) throws Exception {
        TaskIds.check(taskId);
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
    @Override
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
    List<TaskRecord> inFlight(int limit) throws Exception {
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
    @Override
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
