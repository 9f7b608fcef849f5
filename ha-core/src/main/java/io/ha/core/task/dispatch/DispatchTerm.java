package io.ha.core.task.dispatch;

import io.ha.core.internal.ZPaths;
import io.ha.core.membership.AgentInfo;
import io.ha.core.membership.Membership;
import io.ha.core.membership.MembershipListener;
import io.ha.core.session.EventTimeline;
import io.ha.core.task.AssignmentStrategy;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TypeLimit;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.ZooKeeperLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leadership term of the dispatcher: its event loop. Rebuilds the {@link DispatchView} and reclaims orphans when
 * the term begins, then loops on one thread: runs what the watches, the membership and background callbacks handed
 * over through {@link TermEvents}, applies the limits of {@code /limits} as they change (read before the first
 * assignment), rebuilds the view after a reconnect, deletes read announcements, scans for orphans
 * every {@link #ORPHAN_SCAN_MS}, and runs assignment rounds until nothing more can be placed.
 *
 * <p>Guarantees: all of the term's state is touched by its one thread, and the term's watches and listener are gone
 * (or muted) when {@link #run} returns. Not guaranteed: that the term notices deposition before its next refused
 * write ({@link FencedWriter}); until then its writes all fail.
 */
final class DispatchTerm implements Watcher, MembershipListener {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final long ORPHAN_SCAN_MS = 10_000;

    private final long epoch;
    private final CuratorFramework client;
    private final Membership membership;
    private final String pendingLogPath;
    private final String assignedPath;
    private final String limitsPath;
    private final ZPaths paths;
    private final long readTimeoutMs;
    private final TermEvents events;
    private final DispatchView view;
    private final PendingLogFollower follower;
    private final Assigner assigner;
    private final OrphanReclaimer reclaimer;
    private Map<String, TypeLimit> limits = Map.of();

    DispatchTerm(TaskStore store, Membership membership, AssignmentStrategy strategy, Duration readTimeout,
                 TaskMetrics metrics, FencedWriter writer, TermEvents events, EventTimeline timeline) {
        ZPaths paths = store.paths();
        this.epoch = writer.epoch();
        this.client = store.client();
        this.membership = membership;
        this.pendingLogPath = paths.pendingLog();
        this.assignedPath = paths.assigned();
        this.limitsPath = paths.limits();
        this.paths = paths;
        this.readTimeoutMs = readTimeout.toMillis();
        this.events = events;
        this.view = new DispatchView(client, paths, readTimeout);
        this.follower = new PendingLogFollower(client, paths, readTimeout, view, writer, events);
        this.assigner = new Assigner(store, membership, new AssignmentPlanner(strategy), view, writer, readTimeout,
                metrics);
        this.reclaimer = new OrphanReclaimer(store, membership, view, writer, metrics, timeline);
    }

    void run() throws Exception {
        client.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(this)
                .forPath(pendingLogPath);
        client.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(this)
                .forPath(assignedPath);
        client.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(this)
                .forPath(limitsPath);
        membership.addListener(this);
        try {
            // The limits and the counts (from the assignments) before the first assignment of the term.
            reloadLimits();
            reload();
            reclaimer.reassignOrphans();
            LOG.info("dispatcher started for epoch {}: {} pending, {} agents with assignments, {} types limited",
                    epoch, view.pending().size(), view.agentsWithAssignments(), limits.size());
            loop();
        } finally {
            events.end();
            membership.removeListener(this);
            for (String path : List.of(pendingLogPath, assignedPath, limitsPath)) {
                try {
                    client.watchers().remove((Watcher) this).ofType(WatcherType.Any).quietly().forPath(path);
                } catch (Exception e) {
                    // Without a connection the server drops the watch with the session; TermEvents mutes it.
                    LOG.debug("removing dispatcher watch on {}: {}", path, e.toString());
                }
            }
        }
    }

    private void loop() throws Exception {
        long nextOrphanScan = System.currentTimeMillis() + ORPHAN_SCAN_MS;
        while (!Thread.currentThread().isInterrupted()) {
            events.runQueued();
            if (events.takeRescan()) {
                reloadLimits();
                reload();
            }
            follower.flushDeletes();
            long now = System.currentTimeMillis();
            if (now >= nextOrphanScan) {
                reclaimer.reassignOrphans();
                nextOrphanScan = now + ORPHAN_SCAN_MS;
            }
            view.pending().promoteDue(now);
            if (assigner.assignIfRoom() == 0) {
                long at = System.currentTimeMillis();
                // Wake for the next delayed task or the next token of a rate that holds tasks back, whichever is
                // first; any event (a task ending, a new pointer, a limit changed) wakes the loop sooner.
                long untilDue = Assigner.earliest(view.pending().millisUntilNextDue(at), assigner.millisUntilRateRetry(at));
                events.runNext(untilDue < 0 ? 1000 : Math.min(1000, Math.max(1, untilDue)));
            }
        }
    }

    /** Reads {@code /limits} and applies what changed to the gate, with one line per type changed. */
    private void reloadLimits() throws Exception {
        Map<String, TypeLimit> next = ZooKeeperLimits.readAll(client, paths, readTimeoutMs);
        for (Map.Entry<String, TypeLimit> e : next.entrySet()) {
            if (!e.getValue().equals(limits.get(e.getKey()))) {
                LOG.info("dispatcher of epoch {} enforces limits {}", epoch, e.getValue());
            }
        }
        limits.keySet().stream().filter(type -> !next.containsKey(type))
                .forEach(type -> LOG.info("dispatcher of epoch {} no longer limits type '{}'", epoch, type));
        limits = next;
        view.gate().setLimits(next, System.currentTimeMillis());
    }

    private void reload() throws Exception {
        // The announcements before the pointers (see coverListed), the assignments last.
        follower.coverListed();
        view.reload();
    }

    /** Watch events arrive on ZooKeeper's event thread: hand them to the term's own thread. */
    @Override
    public void process(WatchedEvent event) {
        if (events.over()) {
            return;
        }
        if (event.getType() == Event.EventType.None) {
            if (event.getState() == Event.KeeperState.SyncConnected) {
                // Events may have been missed while disconnected: rebuild the view.
                events.requestRescan();
                events.wake();
            }
            return;
        }
        Event.EventType type = event.getType();
        String path = event.getPath();
        events.post(() -> onNodeEvent(type, path));
    }

    private void onNodeEvent(Event.EventType type, String path) {
        List<String> belowLog = ZPaths.below(pendingLogPath, path);
        if (!belowLog.isEmpty()) {
            follower.onLogEvent(type, belowLog);
            return;
        }
        List<String> belowAssigned = ZPaths.below(assignedPath, path);
        if (!belowAssigned.isEmpty()) {
            view.onAssignedEvent(type, belowAssigned);
            return;
        }
        if (path.equals(limitsPath) || !ZPaths.below(limitsPath, path).isEmpty()) {
            try {
                reloadLimits();
            } catch (Exception e) {
                // Connection trouble: the limits in force stay; the reload after the reconnect reads them again.
                LOG.warn("reading the limits failed: {}; keeping those in force", e.toString());
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public void left(AgentInfo agent) {
        events.post(() -> reclaimer.reassign(agent.id(), "agent " + agent.id() + " left (session ended)"));
    }

    @Override
    public void joined(AgentInfo agent) {
        events.wake();
    }

    @Override
    public void updated(AgentInfo agent) {
        events.wake();
    }
}
