package io.ha.core.task.dispatch;

import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.dispatch.AssignmentPlanner.Move;
import io.ha.core.task.store.AssignedTasks;
import io.ha.core.task.store.PendingEntry;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dispatcher term's picture of ZooKeeper: the pending pointers ({@link PendingIndex}), the tasks in flight per
 * agent with their type and key (from {@code /assigned}; the {@link LimitGate} counts them against the limits), and
 * the assignment directories known to exist. Rebuilt by {@link #reload}, kept
 * current by watch events and by the term's own moves, which it records as if applied until they are answered.
 *
 * <p>Guarantees: after a reload the view holds what ZooKeeper held at the listing plus the moves sent and not yet
 * answered, and it is touched only by the term's thread; the gate counts exactly the tasks the view holds in flight. Not guaranteed: that it is current; it may lag or run ahead of ZooKeeper (a cancel not heard of yet,
 * a move not answered yet). It is never the truth: a stale entry costs a refused, fenced transaction and no more.
 */
final class DispatchView {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final CuratorFramework client;
    private final ZPaths paths;
    private final Duration readTimeout;
    private final PendingIndex pending = new PendingIndex();
    private final Map<String, Map<String, Placement>> inFlight = new HashMap<>();
    /** Moves sent and not yet answered: counted again after a reload that may have listed before they applied. */
    private final Map<String, Move> unanswered = new HashMap<>();
    /** The moves sent and not answered that {@link #moved} counted (by identity: a stale copy may be equal). */
    private final Set<Move> counted = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<String> knownDirs = new HashSet<>();
    private final LimitGate gate = new LimitGate();

    DispatchView(CuratorFramework client, ZPaths paths, Duration readTimeout) {
        this.client = client;
        this.paths = paths;
        this.readTimeout = readTimeout;
    }

    PendingIndex pending() {
        return pending;
    }

    LimitGate gate() {
        return gate;
    }

    /**
     * Lists the pointers, then the assignments. The caller lists the announcements before this (see
     * {@link PendingLogFollower#coverListed}).
     */
    void reload() throws Exception {
        pending.clear();
        List<String> bucketPaths = Buckets.all().stream().map(paths::pendingBucket).toList();
        for (AsyncReads.Result r : AsyncReads.childrenOfSmallTree(client, paths.pending(), bucketPaths,
                Buckets.SMALL_TREE_NODES, readTimeout.toMillis())) {
            if (r.ok()) {
                for (String name : r.children()) {
                    addPointer(name);
                }
            }
        }
        inFlight.clear();
        gate.clearCounts();
        AssignedTasks.Listing assigned = AssignedTasks.read(client, paths, readTimeout.toMillis());
        knownDirs.clear();
        knownDirs.addAll(assigned.agents());
        assigned.agents().forEach(agent -> inFlight.put(agent, new HashMap<>()));
        for (AssignedTasks.Entry task : assigned.tasks()) {
            add(task.agent(), task.taskId(), new Placement(task.type(), task.concurrencyKey(), Set.of()));
        }
        for (Move m : unanswered.values()) {
            add(m.agent(), m.entry().taskId(), m.placement());
        }
    }

    private void add(String agent, String taskId, Placement placement) {
        if (inFlight.computeIfAbsent(agent, a -> new HashMap<>()).putIfAbsent(taskId, placement) == null) {
            gate.counted(placement);
        }
    }

    private void remove(String agent, String taskId) {
        Map<String, Placement> tasks = inFlight.get(agent);
        Placement placement = tasks == null ? null : tasks.remove(taskId);
        if (placement != null) {
            gate.ended(placement);
        }
    }

    void addPointer(String name) {
        PendingEntry entry = PendingEntry.parse(name);
        if (entry == null) {
            LOG.warn("ignoring malformed pending pointer {}", name);
            return;
        }
        pending.add(entry);
    }

    /** A watch event below {@code /assigned}: {@code below} is the event path's segments below it. */
    void onAssignedEvent(EventType type, List<String> below) {
        if (below.size() == 2) {
            if (type == EventType.NodeCreated) {
                // Only leaders create assignments, and this term's own moves are counted when sent; one created
                // otherwise (not expected) counts under no type.
                Move sent = unanswered.get(below.get(1));
                add(below.get(0), below.get(1), sent != null && sent.agent().equals(below.get(0)) ? sent.placement()
                        : Placement.UNKNOWN);
            } else if (type == EventType.NodeDeleted) {
                remove(below.get(0), below.get(1));
            }
        } else if (below.size() == 1 && type == EventType.NodeDeleted) {
            forgetAgent(below.get(0));
        } else if (below.size() == 1 && type == EventType.NodeCreated) {
            knownDirs.add(below.get(0));
        }
    }

    int inFlightCount(String agent) {
        return inFlight.getOrDefault(agent, Map.of()).size();
    }

    /** Agents with an assignment directory listed at the last reload (or heard of since). */
    int agentsWithAssignments() {
        return inFlight.size();
    }

    /**
     * Records a move as sent: the task leaves the index and counts against the agent and the limits, unless the
     * view already counts it there (a stale entry's second move of a task in flight, which will be refused).
     */
    void moved(Move move, long now) {
        pending.remove(move.entry().taskId());
        if (inFlight.computeIfAbsent(move.agent(), a -> new HashMap<>())
                .putIfAbsent(move.entry().taskId(), move.placement()) == null) {
            gate.started(move.placement(), now);
            counted.add(move);
            unanswered.put(move.entry().taskId(), move);
        }
    }

    /** The answer to a move came: it applied (its assignment now counts until it is deleted). */
    void answered(Move move) {
        if (counted.remove(move) && unanswered.get(move.entry().taskId()) == move) {
            unanswered.remove(move.entry().taskId());
        }
    }

    /**
     * Undoes {@link #moved}'s count for a move that was refused; a move that did not count (the task was already in
     * flight there, by an earlier move that applied) undoes nothing, or the task that runs would stop counting.
     */
    void notMoved(Move move) {
        if (counted.contains(move)) {
            answered(move);
            remove(move.agent(), move.entry().taskId());
        }
    }

    /**
     * Makes sure {@code /assigned/<agent>} exists before the first move to it (a move's create needs its parent),
     * at most once per term and agent while the directory is known.
     */
    void ensureDir(String agent) throws Exception {
        if (knownDirs.add(agent)) {
            try {
                client.create().forPath(paths.assignedDir(agent));
            } catch (KeeperException.NodeExistsException e) {
                // The agent made it itself: the usual case.
            }
        }
    }

    /** The agent's directory is gone: the next move to it creates it again. */
    void forgetDir(String agent) {
        knownDirs.remove(agent);
    }

    /** The agent's directory is gone with everything in it. */
    void forgetAgent(String agent) {
        knownDirs.remove(agent);
        Map<String, Placement> tasks = inFlight.remove(agent);
        if (tasks != null) {
            tasks.values().forEach(gate::ended);
        }
    }

    static List<String> childrenOrEmpty(CuratorFramework client, String path) throws Exception {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }
}
