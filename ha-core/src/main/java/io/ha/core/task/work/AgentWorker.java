package io.ha.core.task.work;

import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.internal.AsyncReads;
import io.ha.core.session.ClusterContext;
import io.ha.core.CorruptDataException;
import io.ha.core.internal.GroupCommit;
import io.ha.core.internal.Json;
import io.ha.core.Names;
import io.ha.core.membership.AgentRegistry;
import io.ha.core.task.NonRetryableTaskException;
import io.ha.core.task.TaskHandler;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.Worker;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.Versioned;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import com.google.common.util.concurrent.Uninterruptibles;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent side of the task queue: runs the tasks the leader assigns to this agent ({@code /assigned/<agentId>})
 * with the handler registered for their type, and records each outcome with one transaction that checks the
 * assignment is still this agent's.
 *
 * <p>How: a persistent recursive watch on the assignment directory reports each new assignment (the directory is
 * listed in full only when the watch is set up again after a reconnect); the assignments and records of the tasks
 * that arrived together are read in one request (ZooKeeper's read-only {@code multi}, up to {@link #READ_BATCH}
 * tasks); the claim (the record marked RUNNING) and the outcome are each one transaction, and
 * the transactions of all tasks that are ready at the same moment go to ZooKeeper together as one {@code multi()}
 * ({@link GroupCommit}), each still applied or refused on its own checks.
 *
 * <p>Guarantees: an outcome is recorded only while this agent still holds the assignment, so a zombie (an agent whose
 * session expired while its handler ran) cannot record one; when the connection can no longer be trusted, running
 * handlers are interrupted and their outcomes dropped (the task stays assigned and runs again if it is still ours
 * after reconnecting, or the leader gives it to another agent). Not guaranteed: that a handler runs only once.
 */
public final class AgentWorker implements Worker, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentWorker.class);

    private enum State { LATENT, ACCEPTING, DRAINING, CLOSED }

    private record Registration(TaskHandler handler, int concurrency, ThreadPoolExecutor executor) {
    }

    private final ClusterContext ctx;
    private final TaskStore store;
    private final AgentRegistry registry;
    private final TaskMetrics metrics;
    private final String dir;
    private final int maxResultBytes;
    private final Map<String, Registration> handlers = new ConcurrentHashMap<>();
    private final Map<String, RunningTask> running = new ConcurrentHashMap<>();
    /** Tasks assigned again while this worker still held their previous attempt (guarded by {@code running}). */
    private final Set<String> recheck = new HashSet<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ScheduledExecutorService pickup;
    /** Threads that decide on claims once their reads are back (the reads themselves do not hold a thread). */
    private final ExecutorService claimers;
    private static final int CLAIMERS = 2;
    private static final long AUDIT_MS = 10_000;
    /**
     * Tasks whose assignment and record are read in one request. The answer holds up to this many records of at
     * most about 1 MiB each (payload and input are each limited to 512 KiB), below the client's packet limit that
     * {@link io.ha.core.cluster.HaCluster} sets ({@link ClusterContext#CLIENT_PACKET_LIMIT}).
     */
    static final int READ_BATCH = 16;
    /** New assignments reported by the watch and not yet picked up: read together, one request for many. */
    private final ConcurrentLinkedQueue<String> arrivals = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pickupQueued = new AtomicBoolean();
    private final ConnectionGuard.Listener guardListener = this::onConnectionChange;
    private volatile PersistentWatcher watcher;
    private volatile GroupCommit commits;

    public AgentWorker(ClusterContext ctx, TaskStore store, int maxResultBytes, AgentRegistry registry,
                       TaskMetrics metrics) {
        this.ctx = ctx;
        this.store = store;
        this.maxResultBytes = maxResultBytes;
        this.registry = registry;
        this.metrics = metrics;
        this.dir = ctx.paths().assignedDir(ctx.agentId());
        this.claimers = Executors.newFixedThreadPool(CLAIMERS, new ThreadFactoryBuilder()
                .setNameFormat("ha-claim-" + Names.forThreadName(ctx.agentId()) + "-%d").setDaemon(true).build());
        this.pickup = Executors.newSingleThreadScheduledExecutor(
                new ThreadFactoryBuilder().setNameFormat("ha-worker-" + Names.forThreadName(ctx.agentId())).setDaemon(true).build());
    }

    /**
     * Runs tasks of {@code type} with {@code handler}, at most {@code concurrency} at once. The first registration
     * starts the worker: from then on this agent accepts tasks. Agents without a handler for a task's type end it
     * DEAD, so give agents with different handlers different labels.
     */
    @Override
    public Worker register(String type, TaskHandler handler, int concurrency) throws Exception {
        Names.validate("task type", type);
        Preconditions.checkNotNull(handler, "handler");
        Preconditions.checkArgument(concurrency >= 1 && concurrency <= 10_000,
                "concurrency of task type '%s' must be in 1-10000, got %s", type, concurrency);
        Preconditions.checkState(state.get() != State.CLOSED, "worker is closed");
        ThreadPoolExecutor executor = new ThreadPoolExecutor(concurrency, concurrency, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new ThreadFactoryBuilder()
                .setNameFormat("ha-task-" + Names.forThreadName(type) + "-%d").setDaemon(true).build());
        if (handlers.putIfAbsent(type, new Registration(handler, concurrency, executor)) != null) {
            executor.shutdown();
            throw new IllegalArgumentException("a handler for task type '" + type + "' is already registered");
        }
        if (state.compareAndSet(State.LATENT, State.ACCEPTING)) {
            commits = new GroupCommit(ctx.client(), "ha-commit-" + Names.forThreadName(ctx.agentId()));
            ctx.guard().addListener(guardListener);
            ensureDir();
            watcher = new PersistentWatcher(ctx.client(), dir, true);
            watcher.getListenable().addListener(this::onWatchEvent);
            // Set up again after every reconnect (events in between are not replayed): list the directory then.
            watcher.getResetListenable().addListener(this::requestRelist);
            watcher.start();
            // A backstop for what events cannot tell: a claim whose reply was lost, an assignment made again while
            // the previous attempt was finishing. Costs one listing per interval.
            pickup.scheduleWithFixedDelay(this::relist, AUDIT_MS, AUDIT_MS, TimeUnit.MILLISECONDS);
        }
        publish();
        requestRelist();
        return this;
    }

    /** Total task slots (sum of the registered concurrencies). */
    public int capacity() {
        return handlers.values().stream().mapToInt(Registration::concurrency).sum();
    }

    /** Ids of the tasks this worker holds right now. */
    public Set<String> runningTasks() {
        return Set.copyOf(running.keySet());
    }

    /** Progress of the tasks this worker holds (task id to percent, -1 when not reported). */
    public Map<String, Integer> progress() {
        Map<String, Integer> out = new TreeMap<>();
        running.forEach((id, rt) -> out.put(id, rt.assignment == null ? -1 : rt.assignment.progress()));
        return out;
    }

    public boolean isAccepting() {
        return state.get() == State.ACCEPTING;
    }

    private void publish() throws Exception {
        boolean accepting = state.get() == State.ACCEPTING;
        registry.update(registry.info().withWorker(accepting, Math.max(1, capacity()), handlers.keySet()));
    }

    private void ensureDir() throws Exception {
        try {
            ctx.client().create().creatingParentsIfNeeded().forPath(dir);
        } catch (KeeperException.NodeExistsException e) {
            // Left from an earlier run of this agent id, or made by the leader: fine.
        }
    }

    private void requestRelist() {
        pickup(this::relist);
    }

    private void pickup(Runnable work) {
        if (state.get() != State.CLOSED && state.get() != State.LATENT) {
            try {
                pickup.execute(work);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void onConnectionChange(ConnectionGuard.State newState, boolean safe) {
        if (!safe) {
            running.values().forEach(rt -> rt.stop(false));
        } else {
            requestRelist();
        }
    }

    /** Watch events arrive on ZooKeeper's event thread: act on them on the pickup thread. */
    private void onWatchEvent(WatchedEvent event) {
        String path = event.getPath();
        if (event.getType() == Watcher.Event.EventType.None || path == null) {
            return;
        }
        if (path.length() > dir.length() + 1 && path.startsWith(dir) && path.charAt(dir.length()) == '/') {
            String taskId = path.substring(dir.length() + 1);
            if (taskId.indexOf('/') >= 0) {
                return;
            }
            if (event.getType() == Watcher.Event.EventType.NodeCreated) {
                arrivals.add(taskId);
                if (pickupQueued.compareAndSet(false, true)) {
                    pickup(this::pickUpArrivals);
                }
            } else if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                pickup(() -> takenAway(taskId));
            }
        } else if (path.equals(dir) && event.getType() == Watcher.Event.EventType.NodeDeleted) {
            requestRelist();
        }
    }

    /**
     * Starts every assignment that arrived since the last call. Runs on the pickup thread, so the leader's batch of
     * moves for this agent (tens of tasks at once under load) is read with a few requests instead of two per task;
     * a lone assignment goes at once (no timer).
     */
    private void pickUpArrivals() {
        pickupQueued.set(false);
        List<String> taskIds = new ArrayList<>();
        String taskId;
        while ((taskId = arrivals.poll()) != null) {
            taskIds.add(taskId);
        }
        startAll(taskIds);
    }

    /** The assignment is gone: cancelled, or reassigned by the leader (or our own outcome, which is harmless). */
    private void takenAway(String taskId) {
        RunningTask rt = running.get(taskId);
        if (rt != null && rt.started) {
            rt.stop(true);
        }
    }

    /** Reads all of this agent's assignments, starts new ones and stops those taken away. */
    private void relist() {
        if (!ctx.guard().isSafe()) {
            return;
        }
        List<String> children;
        try {
            children = ctx.client().getChildren().forPath(dir);
        } catch (KeeperException.NoNodeException e) {
            try {
                ensureDir();
            } catch (Exception ex) {
                LOG.warn("cannot re-create assignment directory {}: {}", dir, ex.toString());
            }
            return;
        } catch (Exception e) {
            LOG.warn("listing assignments of {} failed: {}; retried on reconnect", ctx.agentId(), e.toString());
            return;
        }
        Set<String> assigned = new HashSet<>(children);
        for (RunningTask rt : running.values()) {
            if (!assigned.contains(rt.taskId) && rt.started) {
                rt.stop(true);
            }
        }
        List<String> fresh = new ArrayList<>();
        for (String taskId : children) {
            if (!running.containsKey(taskId)) {
                fresh.add(taskId);
            }
        }
        startAll(fresh);
    }

    /**
     * Starts claiming each task this worker does not already hold. The assignments and records of up to
     * {@link #READ_BATCH} tasks are read in one request (no thread held while it is out); each task is then decided
     * on by itself. A read that fails (connection loss) releases its tasks: the listing made when the connection is
     * trusted again picks them up.
     */
    private void startAll(List<String> taskIds) {
        List<RunningTask> batch = new ArrayList<>(Math.min(taskIds.size(), READ_BATCH));
        for (String taskId : taskIds) {
            RunningTask rt = new RunningTask(store, ctx.agentId(), taskId);
            synchronized (running) {
                if (running.putIfAbsent(taskId, rt) != null) {
                    // Still held (its last attempt is finishing here), yet assigned again: look again once released.
                    recheck.add(taskId);
                    continue;
                }
            }
            batch.add(rt);
            if (batch.size() == READ_BATCH) {
                read(batch);
                batch = new ArrayList<>(READ_BATCH);
            }
        }
        if (!batch.isEmpty()) {
            read(batch);
        }
    }

    private void read(List<RunningTask> batch) {
        List<String> paths = new ArrayList<>(batch.size() * 2);
        for (RunningTask rt : batch) {
            paths.add(rt.assignmentPath());
            paths.add(ctx.paths().task(rt.taskId));
        }
        AsyncReads.getDataTogetherThen(ctx.client(), paths, claimers, reads -> {
            for (int i = 0; i < batch.size(); i++) {
                claimAndRun(batch.get(i), reads.get(2 * i), reads.get(2 * i + 1));
            }
        });
    }

    /** This worker is done with {@code rt}; a new assignment of the same task that arrived meanwhile starts now. */
    private void release(RunningTask rt) {
        boolean again;
        synchronized (running) {
            running.remove(rt.taskId, rt);
            again = recheck.remove(rt.taskId);
        }
        if (again) {
            pickup(() -> startAll(List.of(rt.taskId)));
        }
    }

    private void claimAndRun(RunningTask rt, AsyncReads.Result a, AsyncReads.Result r) {
        try {
            claim(rt, a, r);
        } catch (Exception e) {
            release(rt);
            LOG.warn("could not start task {}: {}", rt.taskId, e.toString());
        }
    }

    /**
     * Decides on a new assignment from its two reads: starts it (the claim transaction, then the handler), or deals
     * with why it cannot run here, or leaves it.
     */
    private void claim(RunningTask rt, AsyncReads.Result a, AsyncReads.Result r) throws Exception {
        if (a.code() == KeeperException.Code.NONODE) {
            release(rt); // taken away before we got to it
            return;
        }
        if (!a.ok()) {
            throw KeeperException.create(a.code(), a.path());
        }
        Versioned<Assignment> assignment = new Versioned<>(Json.read(a.path(), a.data(), Assignment.class),
                a.stat().getVersion());
        rt.assignment = assignment.value();
        rt.assignmentVersion = assignment.version();
        if (r.code() == KeeperException.Code.NONODE) {
            // The task has ended (or never existed) yet its assignment is still here: it would hold one of our
            // slots for ever. Remove it, checked by version.
            LOG.info("removing leftover assignment of task {}: the task is not active", rt.taskId);
            commitQuietly(rt, List.of(ctx.client().transactionOp().delete().withVersion(assignment.version())
                    .forPath(rt.assignmentPath())));
            return;
        }
        if (!r.ok()) {
            throw KeeperException.create(r.code(), r.path());
        }
        Versioned<TaskRecord> record;
        try {
            record = new Versioned<>(Json.read(r.path(), r.data(), TaskRecord.class), r.stat().getVersion());
        } catch (CorruptDataException e) {
            store.deadLetterCorrupt(rt.taskId, e, List.of(ctx.client().transactionOp().delete()
                    .withVersion(assignment.version()).forPath(rt.assignmentPath())));
            metrics.recordEnded(TaskState.DEAD);
            LOG.warn("task {} is DEAD: {}", rt.taskId, e.getMessage());
            release(rt);
            return;
        }
        TaskRecord current = record.value();
        // PENDING: a fresh assignment (the leader does not touch the record). ASSIGNED or RUNNING on this agent: held
        // since before a reconnect or a restart under the same id, claimed again.
        boolean fresh = current.state() == TaskState.PENDING;
        boolean ours = ctx.agentId().equals(current.agent())
                && (current.state() == TaskState.ASSIGNED || current.state() == TaskState.RUNNING)
                && (assignment.value().attempt() == 0 || assignment.value().attempt() == current.attempt());
        if (!fresh && !ours) {
            LOG.warn("assignment of task {} does not match its record ({}); leaving it", rt.taskId, current);
            release(rt);
            return;
        }
        rt.record = record;
        long now = System.currentTimeMillis();
        String type = current.type();
        if (!handlers.containsKey(type)) {
            TaskRecord here = fresh ? current.assigned(ctx.agentId(), assignment.value().epoch(), now) : current;
            commitOutcome(rt, here.ended(TaskState.DEAD,
                    "unknown task type '" + type + "': agent " + ctx.agentId() + " has handlers for "
                            + new java.util.TreeSet<>(handlers.keySet()), now));
            release(rt);
            return;
        }
        if (state.get() != State.ACCEPTING || !registry.info().labels().containsAll(current.labels())) {
            handBack(rt, state.get() != State.ACCEPTING ? "agent " + ctx.agentId() + " is draining"
                    : "agent " + ctx.agentId() + " lacks labels " + current.labels(), false);
            release(rt);
            return;
        }
        TaskRecord claimed = current.claimed(ctx.agentId(), assignment.value().epoch(),
                assignment.value().assignedAt(), now);
        List<CuratorOp> ops = List.of(
                ctx.client().transactionOp().check().withVersion(rt.assignmentVersion).forPath(rt.assignmentPath()),
                ctx.client().transactionOp().setData().withVersion(record.version())
                        .forPath(ctx.paths().task(rt.taskId), Json.write(claimed)));
        commits.submit(ops).whenComplete((results, error) -> {
            if (error != null) {
                release(rt);
                if (!(error instanceof KeeperException.BadVersionException
                        || error instanceof KeeperException.NoNodeException)) {
                    LOG.warn("could not start task {}: {}", rt.taskId, error.toString());
                }
                return;
            }
            rt.record = new Versioned<>(claimed, results.get(1).getResultStat().getVersion());
            metrics.recordStarted(current, now);
            if (claimed.attempt() > 1) {
                LOG.info("task {} attempt {} started on {}", rt.taskId, claimed.attempt(), ctx.agentId());
            }
            runHandler(rt);
        });
    }

    private void runHandler(RunningTask rt) {
        Registration reg = handlers.get(rt.record.value().type());
        rt.started = true;
        try {
            reg.executor().execute(() -> execute(rt, reg.handler()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            release(rt); // closing: the leader reassigns it once this agent is gone
        }
    }

    private void execute(RunningTask rt, TaskHandler handler) {
        rt.bind(Thread.currentThread());
        TaskRecord next;
        try {
            byte[] result = handler.handle(rt);
            if (result != null && result.length > maxResultBytes) {
                // Stored in the done record and handed to follow-ups: the same limit as a payload applies.
                throw new NonRetryableTaskException("result of " + result.length + " bytes is over the limit of "
                        + maxResultBytes + " bytes; store large results elsewhere and return a reference");
            }
            next = rt.record.value().succeeded(result, System.currentTimeMillis());
        } catch (NonRetryableTaskException e) {
            next = rt.record.value().ended(TaskState.FAILED, describe(e), System.currentTimeMillis());
        } catch (Exception | Error e) {
            TaskRecord current = rt.record.value();
            long now = System.currentTimeMillis();
            String error = describe(e);
            next = current.attemptsLeft() ? current.retried(error, now)
                    : current.ended(TaskState.DEAD, error + " (attempt " + current.attempt() + " of "
                            + current.maxAttempts() + ")", now);
        } finally {
            rt.unbind();
            Thread.interrupted();
        }
        try {
            if (rt.cancelled) {
                LOG.info("task {} was cancelled or taken away while running; its outcome is dropped", rt.taskId);
            } else if (rt.abandoned) {
                LOG.info("task {} interrupted: connection lost; it runs again if still ours after reconnecting",
                        rt.taskId);
            } else {
                commitOutcome(rt, next);
            }
        } finally {
            release(rt);
            if (rt.abandoned) {
                requestRelist();
            }
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        String text = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return text.length() > 4096 ? text.substring(0, 4096) : text;
    }

    /** Records {@code next} if the assignment is still ours; a failed check means a zombie and is only logged. */
    private void commitOutcome(RunningTask rt, TaskRecord next) {
        try {
            commit(store.leaveAssignmentOps(rt.assignmentPath(), rt.assignmentVersion, rt.record, next));
            if (next.state().isTerminal()) {
                metrics.recordEnded(next.state());
            }
            if (next.state() == TaskState.SUCCEEDED) {
                LOG.debug("task {} SUCCEEDED on {}", rt.taskId, ctx.agentId());
            } else {
                LOG.info("task {} attempt {} on {}: {}{}", rt.taskId, rt.record.value().attempt(), ctx.agentId(),
                        next.state() == TaskState.PENDING ? (next.attempt() > rt.record.value().attempt()
                                ? "failed, will retry as attempt " + next.attempt() : "handed back to pending")
                                : next.state(), next.lastError() == null ? "" : " (" + next.lastError() + ")");
            }
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            LOG.info("outcome {} of task {} attempt {} discarded: {} no longer holds the assignment", next.state(),
                    rt.taskId, rt.record.value().attempt(), ctx.agentId());
        } catch (Exception e) {
            // Unknown whether it was applied (connection loss mid-commit): the task stays assigned, and runs again
            // if it still is after reconnecting; a recorded outcome is never recorded twice.
            LOG.warn("outcome of task {} not confirmed: {}", rt.taskId, e.toString());
        }
    }

    /** A transaction of this worker, committed together with those of other tasks ready at the same time. */
    private List<CuratorTransactionResult> commit(List<CuratorOp> ops) throws Exception {
        try {
            return Uninterruptibles.getUninterruptibly(commits.submit(ops));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void commitQuietly(RunningTask rt, List<CuratorOp> ops) {
        try {
            commit(ops);
        } catch (Exception e) {
            LOG.debug("task {}: {}", rt.taskId, e.toString());
        } finally {
            release(rt);
        }
    }

    /** Gives an assigned task back to pending itself, without waiting for the session to expire. */
    private void handBack(RunningTask rt, String reason, boolean started) {
        long now = System.currentTimeMillis();
        TaskRecord current = rt.record.value();
        TaskRecord next = started && current.attemptsLeft() ? current.retried(reason, now).withoutDelay()
                : started ? current.ended(TaskState.DEAD, reason + "; no attempts left", now)
                : current.handedBack(reason, now);
        commitOutcome(rt, next);
    }

    /**
     * Stops taking tasks, lets running ones finish for up to {@code timeout}, then interrupts the rest and hands
     * every task it still holds back to pending at once. The worker stays registered but no longer accepts tasks.
     */
    public void drain(Duration timeout) throws Exception {
        if (!state.compareAndSet(State.ACCEPTING, State.DRAINING)) {
            return;
        }
        publish();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<RunningTask> left = new ArrayList<>(running.values());
        for (RunningTask rt : left) {
            rt.stop(true);
        }
        for (RunningTask rt : left) {
            if (rt.record != null) {
                Versioned<TaskRecord> fresh = store.readActive(rt.taskId);
                if (fresh != null && ctx.agentId().equals(fresh.value().agent())) {
                    rt.record = fresh;
                    Versioned<Assignment> a = store.readAssignment(ctx.agentId(), rt.taskId);
                    if (a != null) {
                        rt.assignmentVersion = a.version();
                        handBack(rt, "agent " + ctx.agentId() + " drained before the task finished", rt.started);
                    }
                }
            }
        }
        // Assigned but never started here (the leader's last batch): hand those back too.
        pickup.submit(this::relist).get();
        // Those claims run on the claim threads: wait (briefly) until each was handed back.
        long settle = System.nanoTime() + ctx.sessionTimeout().toNanos();
        while (running.values().stream().anyMatch(rt -> !rt.started) && System.nanoTime() < settle) {
            Thread.sleep(20);
        }
        LOG.info("worker {} drained: {} task(s) handed back", ctx.agentId(), left.size());
    }

    /** Stops at once: running handlers are interrupted and their outcomes dropped; the leader reassigns them. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        ctx.guard().removeListener(guardListener);
        PersistentWatcher w = watcher;
        if (w != null) {
            w.close(); // before the client closes (CURATOR-729: a watcher left open loops once it has)
        }
        running.values().forEach(rt -> rt.stop(false));
        pickup.shutdownNow();
        claimers.shutdownNow();
        handlers.values().forEach(r -> r.executor().shutdownNow());
        GroupCommit c = commits;
        if (c != null) {
            c.close();
        }
    }
}
