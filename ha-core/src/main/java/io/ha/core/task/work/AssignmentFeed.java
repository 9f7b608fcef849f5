package io.ha.core.task.work;

import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.core.Names;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.ZPaths;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.store.TaskStore;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows this agent's assignment directory ({@code /assigned/<agentId>}) and hands each new assignment, read
 * together with its record, to the {@link Claimer}. A persistent recursive watch reports arrivals and removals; the
 * directory is listed in full when the watch is set up again (after a reconnect), when the connection is trusted
 * again, and every {@link #AUDIT_MS} as a backstop. Arrivals reported together are read together: one read-only
 * {@code multi} per {@link #READ_BATCH} tasks, a lone arrival at once (no timer).
 *
 * <p>All of its work runs on one pickup thread (watch events are only queued from ZooKeeper's event thread), the
 * decisions on the claim threads once the reads are back; no thread waits for a read.
 *
 * <p>Guarantees: every assignment present at a listing is held and read (or looked at again once its previous
 * attempt is released); a held task whose assignment disappears is stopped. Not guaranteed: that an assignment is
 * seen before the next listing when a read fails (connection loss): the task is released and the listing made when
 * the connection is trusted again picks it up.
 */
final class AssignmentFeed implements Closeable {
    /** The worker's logger: the parts of the worker log as it always did. */
    private static final Logger LOG = LoggerFactory.getLogger(AgentWorker.class);
    private static final long AUDIT_MS = 10_000;
    /** Threads that decide on claims once their reads are back (the reads themselves do not hold a thread). */
    private static final int CLAIMERS = 2;
    /**
     * Tasks whose assignment and record are read in one request. The answer holds up to this many records of at
     * most about 1 MiB each (payload and input are each limited to 512 KiB), below the client's packet limit that
     * {@code HaCluster} sets ({@link ClusterContext#CLIENT_PACKET_LIMIT}).
     */
    static final int READ_BATCH = 16;

    private enum State { LATENT, STARTED, CLOSED }

    private final ClusterContext ctx;
    private final TaskStore store;
    private final HeldTasks held;
    private final Claimer claimer;
    private final String dir;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ScheduledExecutorService pickup;
    private final ExecutorService claimers;
    /** New assignments reported by the watch and not yet picked up: read together, one request for many. */
    private final ConcurrentLinkedQueue<String> arrivals = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pickupQueued = new AtomicBoolean();
    private volatile PersistentWatcher watcher;

    AssignmentFeed(ClusterContext ctx, TaskStore store, HeldTasks held, Claimer claimer) {
        this.ctx = ctx;
        this.store = store;
        this.held = held;
        this.claimer = claimer;
        this.dir = ctx.paths().assignedDir(ctx.agentId());
        this.claimers = Executors.newFixedThreadPool(CLAIMERS, new ThreadFactoryBuilder()
                .setNameFormat("ha-claim-" + Names.forThreadName(ctx.agentId()) + "-%d").setDaemon(true).build());
        this.pickup = Executors.newSingleThreadScheduledExecutor(new ThreadFactoryBuilder()
                .setNameFormat("ha-worker-" + Names.forThreadName(ctx.agentId())).setDaemon(true).build());
    }

    /** Creates the directory if needed and sets up the watch and the audit; once. */
    void start() throws Exception {
        Preconditions.checkState(state.compareAndSet(State.LATENT, State.STARTED), "assignment feed already started or closed");
        ensureDir();
        PersistentWatcher w = new PersistentWatcher(ctx.client(), dir, true);
        watcher = w;
        w.getListenable().addListener(this::onWatchEvent);
        // Set up again after every reconnect (events in between are not replayed): list the directory then.
        w.getResetListenable().addListener(this::requestRelist);
        w.start();
        // A backstop for what events cannot tell: a claim whose reply was lost, an assignment made again while the
        // previous attempt was finishing. Costs one listing per interval.
        pickup.scheduleWithFixedDelay(this::relist, AUDIT_MS, AUDIT_MS, TimeUnit.MILLISECONDS);
    }

    /** Lists the directory soon, on the pickup thread. */
    void requestRelist() {
        pickup(this::relist);
    }

    /** Lists the directory on the pickup thread; the future completes when that listing's reads are sent. */
    Future<?> relistNow() {
        return pickup.submit(this::relist);
    }

    /** A task assigned again while its previous attempt was held: look at it now that it is released. */
    void pickUpAgain(String taskId) {
        pickup(() -> startAll(List.of(taskId)));
    }

    private void pickup(Runnable work) {
        if (state.get() == State.STARTED) {
            try {
                pickup.execute(work);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void ensureDir() throws Exception {
        try {
            ctx.client().create().creatingParentsIfNeeded().forPath(dir);
        } catch (KeeperException.NodeExistsException e) {
            // Left from an earlier run of this agent id, or made by the leader: fine.
        }
    }

    /** Watch events arrive on ZooKeeper's event thread: act on them on the pickup thread. */
    private void onWatchEvent(WatchedEvent event) {
        String path = event.getPath();
        if (event.getType() == Watcher.Event.EventType.None || path == null) {
            return;
        }
        String taskId = ZPaths.childName(dir, path);
        if (taskId != null) {
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
     * Starts every assignment that arrived since the last call, so the leader's batch of moves for this agent (tens
     * of tasks at once under load) is read with a few requests instead of two per task.
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
        RunningTask rt = held.get(taskId);
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
        for (RunningTask rt : held.all()) {
            if (!assigned.contains(rt.taskId) && rt.started) {
                rt.stop(true);
            }
        }
        List<String> fresh = new ArrayList<>();
        for (String taskId : children) {
            if (!held.holds(taskId)) {
                fresh.add(taskId);
            }
        }
        startAll(fresh);
    }

    /**
     * Holds each task this worker does not already hold and reads the assignments and records of up to
     * {@link #READ_BATCH} of them in one request (no thread held while it is out); each task is then decided on by
     * itself. A read that fails (connection loss) releases its tasks.
     */
    private void startAll(List<String> taskIds) {
        List<RunningTask> batch = new ArrayList<>(Math.min(taskIds.size(), READ_BATCH));
        for (String taskId : taskIds) {
            RunningTask rt = new RunningTask(store, ctx.agentId(), taskId);
            if (!held.hold(rt)) {
                continue; // still held (its last attempt is finishing here), yet assigned again: looked at on release
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
                claimer.onReads(batch.get(i), reads.get(2 * i), reads.get(2 * i + 1));
            }
        });
    }

    /**
     * Stops the watch (before the client closes: CURATOR-729, a watcher left open loops once it has) and refuses
     * further pickups; the threads keep running until {@link #close}.
     */
    void stopWatching() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        PersistentWatcher w = watcher;
        if (w != null) {
            w.close();
        }
    }

    /** Stops watching, if not yet, and the pickup and claim threads. */
    @Override
    public void close() {
        stopWatching();
        pickup.shutdownNow();
        claimers.shutdownNow();
    }
}
