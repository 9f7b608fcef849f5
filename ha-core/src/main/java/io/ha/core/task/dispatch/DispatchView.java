package io.ha.core.task.dispatch;

import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.store.PendingEntry;
import java.time.Duration;
import java.util.HashMap;
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
 * agent (from {@code /assigned}) and the assignment directories known to exist. Rebuilt by {@link #reload}, kept
 * current by watch events and by the term's own moves, which it records as if applied until they are answered.
 *
 * <p>Guarantees: after a reload the view holds what ZooKeeper held at the listing, and it is touched only by the
 * term's thread. Not guaranteed: that it is current; it may lag or run ahead of ZooKeeper (a cancel not heard of yet,
 * a move not answered yet). It is never the truth: a stale entry costs a refused, fenced transaction and no more.
 */
final class DispatchView {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final CuratorFramework client;
    private final ZPaths paths;
    private final Duration readTimeout;
    private final PendingIndex pending = new PendingIndex();
    private final Map<String, Set<String>> inFlight = new HashMap<>();
    private final Set<String> knownDirs = new HashSet<>();

    DispatchView(CuratorFramework client, ZPaths paths, Duration readTimeout) {
        this.client = client;
        this.paths = paths;
        this.readTimeout = readTimeout;
    }

    PendingIndex pending() {
        return pending;
    }

    /**
     * Lists the pointers, then the assignments. The caller lists the announcements before this (see
     * {@link PendingLogFollower#coverListed}).
     */
    void reload() throws Exception {
        pending.clear();
        List<String> bucketPaths = Buckets.all().stream().map(paths::pendingBucket).toList();
        for (AsyncReads.Result r : AsyncReads.children(client, bucketPaths, readTimeout.toMillis())) {
            if (r.ok()) {
                for (String name : r.children()) {
                    addPointer(name);
                }
            }
        }
        inFlight.clear();
        List<String> agents = childrenOrEmpty(client, paths.assigned());
        knownDirs.clear();
        knownDirs.addAll(agents);
        List<String> dirs = agents.stream().map(paths::assignedDir).toList();
        List<AsyncReads.Result> results = AsyncReads.children(client, dirs, readTimeout.toMillis());
        for (int i = 0; i < agents.size(); i++) {
            if (results.get(i).ok()) {
                inFlight.put(agents.get(i), new HashSet<>(results.get(i).children()));
            }
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
            Set<String> tasks = inFlight.computeIfAbsent(below.get(0), a -> new HashSet<>());
            if (type == EventType.NodeCreated) {
                tasks.add(below.get(1));
            } else if (type == EventType.NodeDeleted) {
                tasks.remove(below.get(1));
            }
        } else if (below.size() == 1 && type == EventType.NodeDeleted) {
            forgetAgent(below.get(0));
        } else if (below.size() == 1 && type == EventType.NodeCreated) {
            knownDirs.add(below.get(0));
        }
    }

    int inFlightCount(String agent) {
        return inFlight.getOrDefault(agent, Set.of()).size();
    }

    /** Agents with an assignment directory listed at the last reload (or heard of since). */
    int agentsWithAssignments() {
        return inFlight.size();
    }

    /** Records a move as sent: the task leaves the index and counts against the agent until answered. */
    void moved(PendingEntry entry, String agent) {
        pending.remove(entry.taskId());
        inFlight.computeIfAbsent(agent, a -> new HashSet<>()).add(entry.taskId());
    }

    /** Undoes {@link #moved}'s count for a move that was refused. */
    void notMoved(String taskId, String agent) {
        Set<String> tasks = inFlight.get(agent);
        if (tasks != null) {
            tasks.remove(taskId);
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
        inFlight.remove(agent);
    }

    static List<String> childrenOrEmpty(CuratorFramework client, String path) throws Exception {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }
}
