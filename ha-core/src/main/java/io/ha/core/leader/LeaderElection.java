package io.ha.core.leader;

import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.core.Names;
import io.ha.core.session.ClusterContext;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.session.EventKind;
import java.io.Closeable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elects one leader among the members of a cluster (Curator {@link LeaderLatch}) and runs the registered
 * {@link LeaderService}s only while this process leads.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Each leadership term gets a new epoch from {@code /epoch}, strictly greater than every earlier one, written
 *   in one transaction with a check that this process's election node still exists.</li>
 *   <li>Leader services are interrupted as soon as the latch reports loss or the {@link ConnectionGuard} says the
 *   session can no longer be trusted, and this process waits for them to return before it gives up its election
 *   node on close.</li>
 *   <li>Defence against known LeaderLatch failures: a term is started only when this process's election node exists
 *   and is owned by the current session (two leaders after a reconnect, CURATOR-696/653), and a watchdog re-creates
 *   the latch when its node stays missing while connected (no leader after LOST then RECONNECTED, CURATOR-724).</li>
 * </ul>
 * Not guaranteed: mutual exclusion across a network partition shorter than the detection time of the old leader
 * (about two thirds of the session timeout with the default policy) if the servers expire its session sooner, nor
 * when another client deletes the leader's election node (the leader learns it from a watch notification, at the
 * same moment as its successor); use the epoch to fence side effects.
 */
public final class LeaderElection implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final ClusterContext ctx;
    private final EpochCounter epochs;
    private final Duration serviceStopTimeout;
    private final Map<String, LeaderService> services = new LinkedHashMap<>();
    private final List<LeaderListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ScheduledExecutorService termThread;
    private final ExecutorService serviceThreads;
    private final ConnectionGuard.Listener guardListener = this::onConnectionChange;
    private final Object leadershipChanged = new Object();
    private volatile LeaderLatch latch;
    private volatile LeaderTerm term;
    private int missingChecks;

    public LeaderElection(ClusterContext ctx, Duration serviceStopTimeout) {
        this.ctx = ctx;
        this.epochs = new EpochCounter(ctx.client(), ctx.paths().epoch());
        this.serviceStopTimeout = serviceStopTimeout;
        this.termThread = Executors.newSingleThreadScheduledExecutor(
                new ThreadFactoryBuilder().setNameFormat("ha-election-" + Names.forThreadName(ctx.agentId())).setDaemon(true).build());
        this.serviceThreads = Executors.newCachedThreadPool(
                new ThreadFactoryBuilder().setNameFormat("ha-leader-service-%d").setDaemon(true).build());
        // Created (not started) up front so that observers, which never join, can still ask who leads.
        this.latch = newLatch();
    }

    /** Registers leader-only work under a unique name; started at once if this process is leading now. */
    public void addService(String name, LeaderService service) {
        Preconditions.checkState(state.get() != State.CLOSED, "leader election is closed");
        synchronized (services) {
            Preconditions.checkArgument(!services.containsKey(name), "leader service '%s' is already registered", name);
            services.put(name, service);
        }
        LeaderTerm current = term;
        if (current != null) {
            current.start(name, service, serviceThreads);
        }
    }

    /**
     * Adds a listener; if this process is leading now, the listener is told {@code elected} right away, so a
     * listener added after {@code start()} never misses the current term.
     */
    public void addListener(LeaderListener listener) {
        // On the election thread, where terms begin and end: no term can start or end half-told.
        termThread.execute(() -> {
            listeners.add(listener);
            LeaderTerm current = term;
            if (current != null && current.active()) {
                listener.elected(current.epoch());
            }
        });
    }

    public void removeListener(LeaderListener listener) {
        listeners.remove(listener);
    }

    /** Joins the election. */
    public void start() throws Exception {
        Preconditions.checkState(state.compareAndSet(State.LATENT, State.STARTED), "Cannot be started more than once");
        ctx.guard().addListener(guardListener);
        latch.start();
        long checkMs = Math.max(500, ctx.sessionTimeout().toMillis() / 3);
        termThread.scheduleWithFixedDelay(this::verifyParticipation, checkMs, checkMs, TimeUnit.MILLISECONDS);
    }

    private LeaderLatch newLatch() {
        LeaderLatch created = new LeaderLatch(ctx.client(), ctx.paths().leader(), ctx.agentId());
        created.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                submitReconcile();
            }

            @Override
            public void notLeader() {
                submitReconcile();
            }
        });
        return created;
    }

    /** True while this process is in a leadership term and its connection is trusted. */
    public boolean isLeader() {
        LeaderTerm current = term;
        return current != null && current.isLeader();
    }

    /** The epoch of this process's current term, or empty when it is not leading. */
    public OptionalLong termEpoch() {
        LeaderTerm current = term;
        return current != null && current.active() ? OptionalLong.of(current.epoch()) : OptionalLong.empty();
    }

    /** The latest epoch written in ZooKeeper by any leader (one read). */
    public long currentEpoch() throws Exception {
        return epochs.read();
    }

    /** The agent id of the current leader as ZooKeeper shows it now (one round trip), or empty when none. */
    public Optional<String> currentLeader() throws Exception {
        Participant leader = latch.getLeader();
        return leader.isLeader() && !leader.getId().isEmpty() ? Optional.of(leader.getId()) : Optional.empty();
    }

    /** Waits until this process leads; false on timeout. */
    public boolean awaitLeadership(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (leadershipChanged) {
            while (!isLeader()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                leadershipChanged.wait(left);
            }
            return true;
        }
    }

    private void onConnectionChange(ConnectionGuard.State newState, boolean safe) {
        LeaderTerm current = term;
        if (!safe && current != null) {
            // Stop leader-only work on the connection thread itself: the election thread may be busy in a
            // ZooKeeper call that now waits for the connection, and another process may soon be elected.
            current.interruptAll();
        }
        submitReconcile();
    }

    private void submitReconcile() {
        if (state.get() == State.STARTED) {
            termThread.execute(this::reconcile);
        }
    }

    private void reconcile() {
        try {
            boolean want = state.get() == State.STARTED && latch.hasLeadership() && ctx.guard().isSafe();
            LeaderTerm current = term;
            if (current != null && (!want || !current.active())) {
                endTerm(current, want ? "leader service term interrupted" : "leadership lost");
                current = null;
                want = state.get() == State.STARTED && latch.hasLeadership() && ctx.guard().isSafe();
            }
            if (want && current == null) {
                beginTerm();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The write of the new epoch failed after Curator's retries (connection trouble). Leadership is not
            // taken; try again shortly while the latch still says we lead.
            LOG.warn("could not start a leadership term for {}: {}; retrying", ctx.agentId(), e.toString());
            if (state.get() == State.STARTED) {
                termThread.schedule(this::reconcile, 500, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void beginTerm() throws Exception {
        LeaderLatch current = latch;
        String ourPath = current.getOurPath();
        if (ourPath == null || !ownedBySession(ourPath)) {
            LOG.warn("latch of {} reports leadership but its election node {} is not owned by this session; "
                    + "not starting a term", ctx.agentId(), ourPath);
            return;
        }
        OptionalLong epoch = epochs.bump(ourPath);
        if (epoch.isEmpty()) {
            LOG.warn("election node {} of {} vanished while taking leadership; not starting a term", ourPath,
                    ctx.agentId());
            return;
        }
        if (!(current == latch && current.hasLeadership() && ctx.guard().isSafe())) {
            return;
        }
        LeaderTerm fresh = new LeaderTerm(epoch.getAsLong(), ctx.agentId(),
                () -> current == latch && current.hasLeadership() && ctx.guard().isSafe());
        // LeaderLatch watches only its predecessor, never its own node: if that node vanishes (deleted by hand, or
        // by the servers for a session the latch wrongly thinks is current) the latch keeps claiming leadership while
        // another member is elected. Watch it, and stop at once when it goes.
        if (ctx.client().checkExists().usingWatcher((CuratorWatcher) event -> {
            if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                onOwnNodeDeleted(fresh, ourPath);
            }
        }).forPath(ourPath) == null) {
            return;
        }
        term = fresh;
        ctx.timeline().record(EventKind.ELECTED, epoch.getAsLong(), "agent " + ctx.agentId() + " leads");
        synchronized (services) {
            fresh.startAll(services, serviceThreads);
        }
        signal();
        listeners.forEach(l -> l.elected(fresh.epoch()));
    }

    private void onOwnNodeDeleted(LeaderTerm ending, String path) {
        ending.interruptAll();
        if (state.get() == State.STARTED) {
            termThread.execute(() -> {
                try {
                    if (term == ending) {
                        endTerm(ending, "election node " + path + " was deleted");
                    }
                    if (latch.getOurPath() == null || path.equals(latch.getOurPath())) {
                        rejoin(path);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.warn("rejoining the election for {} failed: {}; the watchdog retries", ctx.agentId(),
                            e.toString());
                }
            });
        }
    }

    private void endTerm(LeaderTerm ending, String reason) throws InterruptedException {
        ending.end(serviceStopTimeout);
        term = null;
        ctx.timeline().record(EventKind.REVOKED, ending.epoch(), "agent " + ctx.agentId() + ": " + reason);
        signal();
        listeners.forEach(l -> l.revoked(ending.epoch()));
    }

    private boolean ownedBySession(String path) throws Exception {
        Stat stat = ctx.client().checkExists().forPath(path);
        return stat != null && stat.getEphemeralOwner() == ctx.guard().sessionId();
    }

    /**
     * Watchdog: while connected, this process's election node must exist and belong to the current session. If it
     * is missing on two checks in a row, the latch failed to rejoin by itself and is replaced; if a term is running
     * without it, the term ends at once (another process may already lead).
     */
    private void verifyParticipation() {
        if (state.get() != State.STARTED || ctx.guard().state() != ConnectionGuard.State.CONNECTED) {
            missingChecks = 0;
            return;
        }
        try {
            String ourPath = latch.getOurPath();
            boolean present = ourPath != null && ownedBySession(ourPath);
            if (present) {
                missingChecks = 0;
                return;
            }
            LeaderTerm current = term;
            if (current != null) {
                endTerm(current, "election node " + ourPath + " no longer owned by this session");
            }
            if (++missingChecks >= 2) {
                missingChecks = 0;
                rejoin(ourPath);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("participation check of {} failed: {}", ctx.agentId(), e.toString());
        }
    }

    private void rejoin(String missingPath) throws Exception {
        LeaderLatch old = latch;
        LeaderLatch fresh = newLatch();
        latch = fresh;
        fresh.start();
        ctx.timeline().record(EventKind.ELECTION_REJOINED, "agent " + ctx.agentId() + ": election node "
                + missingPath + " was missing; latch re-created");
        try {
            old.close();
        } catch (Exception e) {
            LOG.warn("closing the replaced latch of {} failed: {}", ctx.agentId(), e.toString());
        }
    }

    private void signal() {
        synchronized (leadershipChanged) {
            leadershipChanged.notifyAll();
        }
    }

    /**
     * Leaves the election: stops leader services (waiting for them to return), then deletes the election node so
     * another member can take over.
     */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            termThread.shutdownNow();
            serviceThreads.shutdownNow();
            return;
        }
        ctx.guard().removeListener(guardListener);
        try {
            // End the term on the election thread, so it cannot race a term being started there...
            Future<?> ending = termThread.submit(() -> {
                LeaderTerm current = term;
                if (current != null) {
                    endTerm(current, "closing");
                }
                return null;
            });
            ending.get(serviceStopTimeout.plus(ctx.connectionTimeout()).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // ...unless that thread is stuck in a ZooKeeper call without a connection: end the term from here.
            LOG.warn("election thread of {} busy; ending its term directly", ctx.agentId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("ending the term of {} failed: {}", ctx.agentId(), e.getCause().toString());
        }
        termThread.shutdownNow();
        LeaderTerm current = term;
        if (current != null) {
            try {
                current.end(serviceStopTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            term = null;
        }
        // Only now, with leader work stopped, give up the election node so that another member may lead.
        try {
            latch.close();
        } catch (Exception e) {
            LOG.warn("leaving the election for {} failed: {} (its node goes with the session)", ctx.agentId(),
                    e.toString());
        }
        serviceThreads.shutdownNow();
    }
}
