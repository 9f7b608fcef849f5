package io.ha.core.task.dispatch;

import io.ha.core.HaException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.CorruptDataException;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import io.ha.core.leader.LeaderContext;
import io.ha.core.leader.LeaderService;
import io.ha.core.membership.AgentInfo;
import io.ha.core.membership.Membership;
import io.ha.core.membership.MembershipListener;
import io.ha.core.task.AgentSlot;
import io.ha.core.task.AssignmentStrategy;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.PendingEntry;
import io.ha.core.task.store.PendingLog;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.Versioned;
import io.ha.core.task.dispatch.AssignmentPlanner.Move;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader-only side of the task queue: hands pending tasks to agents and takes back the tasks of agents that are
 * gone. Runs as a {@link LeaderService}, so at most one dispatcher works at a time; every transaction it commits
 * also checks the version of {@code /epoch} it saw when its term began, so a deposed leader's late writes fail.
 *
 * <p>Each term starts by rebuilding its view from ZooKeeper (pending pointers, assignments) and by reassigning the
 * assignments of agents that are not alive (orphans of a leader that died mid-way), then follows changes through
 * persistent recursive watches: on {@code /assigned}, and on {@code /pending-log}, where every transaction that adds
 * or removes pending pointers announces them ({@link PendingLog}), one node per transaction instead of one event
 * per pointer created and deleted.
 */
public final class Dispatcher implements LeaderService {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** Tasks moved per transaction: large enough to amortise a round trip, small enough for jute.maxbuffer. */
    static final int BATCH = 100;
    /** Assignment transactions in flight at once: pipelining hides the round trip and the log sync of each. */
    private static final int MAX_IN_FLIGHT = 4;
    private static final long ORPHAN_SCAN_MS = 10_000;
    /** Announcements deleted per transaction. */
    private static final int LOG_DELETE_BATCH = 500;

    private final TaskStore store;
    private final Membership membership;
    private final AssignmentStrategy strategy;
    private final Duration readTimeout;
    private final TaskMetrics metrics;

    public Dispatcher(TaskStore store, Membership membership, AssignmentStrategy strategy, Duration readTimeout,
                      TaskMetrics metrics) {
        this.store = store;
        this.membership = membership;
        this.strategy = strategy;
        this.readTimeout = readTimeout;
        this.metrics = metrics;
    }

    @Override
    public void lead(LeaderContext ctx) throws Exception {
        new Term(ctx).run();
    }

    /** One leadership term's dispatching state; discarded when the term ends. */
    private final class Term implements Watcher, MembershipListener {
        private final LeaderContext ctx;
        private final AssignmentPlanner planner = new AssignmentPlanner(strategy);
        private final ZPaths paths = store.paths();
        private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
        private final PendingIndex index = new PendingIndex();
        private final Map<String, Set<String>> inFlight = new HashMap<>();
        private final Set<String> knownDirs = new HashSet<>();
        /** Announcements made before the last full listing of the pointers: already covered by it. */
        private final Set<String> logCovered = new HashSet<>();
        /** Announcements read (or covered), to delete from {@code /pending-log}. */
        private final Set<String> logToDelete = new LinkedHashSet<>();
        private boolean logDeleteInFlight;
        private volatile boolean over;
        private volatile boolean rescan;
        private int epochVersion;
        /** Assignment transactions sent and not yet answered. */
        private int commitsInFlight;

        Term(LeaderContext ctx) {
            this.ctx = ctx;
        }

        void run() throws Exception {
            Stat stat = new Stat();
            long current = Long.parseLong(new String(store.client().getData().storingStatIn(stat)
                    .forPath(paths.epoch()), StandardCharsets.UTF_8).trim());
            if (current != ctx.epoch()) {
                LOG.warn("epoch moved on to {} before dispatcher of epoch {} started; standing down", current,
                        ctx.epoch());
                return;
            }
            epochVersion = stat.getVersion();
            store.client().watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(this)
                    .forPath(paths.pendingLog());
            store.client().watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(this)
                    .forPath(paths.assigned());
            membership.addListener(this);
            try {
                reload();
                reassignOrphans();
                LOG.info("dispatcher started for epoch {}: {} pending, {} agents with assignments", ctx.epoch(),
                        index.size(), inFlight.size());
                loop();
            } finally {
                over = true;
                membership.removeListener(this);
                for (String path : List.of(paths.pendingLog(), paths.assigned())) {
                    try {
                        store.client().watchers().remove((Watcher) this).ofType(WatcherType.Any).quietly()
                                .forPath(path);
                    } catch (Exception e) {
                        // Without a connection the server drops the watch with the session; `over` mutes it.
                        LOG.debug("removing dispatcher watch on {}: {}", path, e.toString());
                    }
                }
            }
        }

        private void loop() throws Exception {
            long nextOrphanScan = System.currentTimeMillis() + ORPHAN_SCAN_MS;
            while (!Thread.currentThread().isInterrupted()) {
                Runnable event;
                while ((event = events.poll()) != null) {
                    event.run();
                }
                if (rescan) {
                    rescan = false;
                    reload();
                }
                flushLogDeletes();
                long now = System.currentTimeMillis();
                if (now >= nextOrphanScan) {
                    reassignOrphans();
                    nextOrphanScan = now + ORPHAN_SCAN_MS;
                }
                index.promoteDue(now);
                int assigned = commitsInFlight < MAX_IN_FLIGHT ? assign() : 0;
                if (assigned == 0) {
                    long untilDue = index.millisUntilNextDue(System.currentTimeMillis());
                    long wait = untilDue < 0 ? 1000 : Math.min(1000, Math.max(1, untilDue));
                    Runnable next = events.poll(wait, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        next.run();
                    }
                }
            }
        }

        // ---- view of ZooKeeper ----

        private void reload() throws Exception {
            // The announcements first, then the pointers: every announcement listed here was made before the listing
            // of the pointers, so its pointers are in that listing (or already gone), and reading it would only add
            // back pointers this term may move meanwhile.
            List<String> logged = new ArrayList<>();
            List<String> logBuckets = Buckets.all();
            List<AsyncReads.Result> logLists = AsyncReads.children(store.client(),
                    logBuckets.stream().map(paths::pendingLogBucket).toList(), readTimeout.toMillis());
            for (int i = 0; i < logBuckets.size(); i++) {
                if (logLists.get(i).ok()) {
                    for (String name : logLists.get(i).children()) {
                        logged.add(logBuckets.get(i) + "/" + name);
                    }
                }
            }
            logCovered.clear();
            logCovered.addAll(logged);
            logToDelete.addAll(logged);
            index.clear();
            List<String> bucketPaths = Buckets.all().stream().map(paths::pendingBucket).toList();
            for (AsyncReads.Result r : AsyncReads.children(store.client(), bucketPaths, readTimeout.toMillis())) {
                if (r.ok()) {
                    for (String name : r.children()) {
                        addPointer(name);
                    }
                }
            }
            inFlight.clear();
            List<String> agents = childrenOrEmpty(paths.assigned());
            knownDirs.clear();
            knownDirs.addAll(agents);
            List<String> dirs = agents.stream().map(paths::assignedDir).toList();
            List<AsyncReads.Result> results = AsyncReads.children(store.client(), dirs, readTimeout.toMillis());
            for (int i = 0; i < agents.size(); i++) {
                if (results.get(i).ok()) {
                    inFlight.put(agents.get(i), new HashSet<>(results.get(i).children()));
                }
            }
        }

        private void addPointer(String name) {
            PendingEntry entry = PendingEntry.parse(name);
            if (entry == null) {
                LOG.warn("ignoring malformed pending pointer {}", name);
                return;
            }
            index.add(entry);
        }

        private List<String> childrenOrEmpty(String path) throws Exception {
            try {
                return store.client().getChildren().forPath(path);
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            }
        }

        /** Watch events arrive on ZooKeeper's event thread: hand them to the dispatcher's own thread. */
        @Override
        public void process(WatchedEvent event) {
            if (over) {
                return;
            }
            if (event.getType() == Event.EventType.None) {
                if (event.getState() == Event.KeeperState.SyncConnected) {
                    // Events may have been missed while disconnected: rebuild the view.
                    rescan = true;
                    events.add(() -> { });
                }
                return;
            }
            String path = event.getPath();
            events.add(() -> onNodeEvent(event.getType(), path));
        }

        private void onNodeEvent(Event.EventType type, String path) {
            if (path.startsWith(paths.pendingLog() + "/")) {
                String name = path.substring(paths.pendingLog().length() + 1); // <bucket>/<announcement>
                if (name.indexOf('/') < 0) {
                    return; // a bucket
                }
                if (type == Event.EventType.NodeCreated && !logCovered.remove(name)) {
                    readAnnouncement(name);
                } else if (type == Event.EventType.NodeDeleted) {
                    logCovered.remove(name);
                }
            } else if (path.startsWith(paths.assigned() + "/")) {
                String[] parts = path.substring(paths.assigned().length() + 1).split("/");
                if (parts.length == 2) {
                    Set<String> tasks = inFlight.computeIfAbsent(parts[0], a -> new HashSet<>());
                    if (type == Event.EventType.NodeCreated) {
                        tasks.add(parts[1]);
                    } else if (type == Event.EventType.NodeDeleted) {
                        tasks.remove(parts[1]);
                    }
                } else if (parts.length == 1 && type == Event.EventType.NodeDeleted) {
                    knownDirs.remove(parts[0]);
                    inFlight.remove(parts[0]);
                } else if (parts.length == 1 && type == Event.EventType.NodeCreated) {
                    knownDirs.add(parts[0]);
                }
            }
        }

        /** Reads one announcement without waiting; its pointers are indexed on the dispatcher's thread. */
        private void readAnnouncement(String name) {
            try {
                store.client().getData().inBackground((client, event) -> {
                    if (!over) {
                        events.add(() -> onAnnouncement(name, event));
                    }
                }).forPath(paths.pendingLogEntry(name));
            } catch (Exception e) {
                LOG.debug("reading announcement {} failed: {}; rescanning", name, e.toString());
                rescan = true;
            }
        }

        private void onAnnouncement(String name, CuratorEvent event) {
            KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
            if (code == KeeperException.Code.NONODE) {
                return; // deleted by this term already (covered by a listing)
            }
            if (code != KeeperException.Code.OK) {
                // Not read (connection trouble): the full listing that follows covers it.
                LOG.debug("announcement {} not read ({}); rescanning", name, code);
                rescan = true;
                return;
            }
            PendingLog log = PendingLog.decode(event.getData());
            log.added().forEach(this::addPointer);
            for (String removed : log.removed()) {
                PendingEntry entry = PendingEntry.parse(removed);
                if (entry != null) {
                    index.remove(entry);
                }
            }
            logToDelete.add(name);
        }

        /**
         * Deletes read announcements, up to {@link #LOG_DELETE_BATCH} per fenced transaction, one transaction in
         * flight: a deposed leader must not delete what its successor has not read yet.
         */
        private void flushLogDeletes() throws Exception {
            if (logDeleteInFlight || logToDelete.isEmpty()) {
                return;
            }
            List<String> names = new ArrayList<>();
            Iterator<String> it = logToDelete.iterator();
            while (it.hasNext() && names.size() < LOG_DELETE_BATCH) {
                names.add(it.next());
                it.remove();
            }
            List<CuratorOp> ops = new ArrayList<>(names.size() + 1);
            ops.add(store.epochCheck(epochVersion));
            for (String name : names) {
                ops.add(store.client().transactionOp().delete().forPath(paths.pendingLogEntry(name)));
            }
            logDeleteInFlight = true;
            store.client().transaction().inBackground((client, event) -> {
                if (!over) {
                    events.add(() -> onLogDeleted(names, event));
                }
            }).forOperations(ops);
        }

        private void onLogDeleted(List<String> names, CuratorEvent event) {
            logDeleteInFlight = false;
            KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
            if (code == KeeperException.Code.OK) {
                return;
            }
            List<CuratorTransactionResult> results = event.getOpResults();
            if (results != null && !results.isEmpty()
                    && results.get(0).getError() == KeeperException.Code.BADVERSION.intValue()) {
                throw new HaException("dispatcher of epoch " + ctx.epoch() + " was deposed: /epoch changed");
            }
            if (results == null || results.isEmpty()) {
                logToDelete.addAll(names); // connection trouble: try again
                return;
            }
            // One of them was gone already (deleted after a listing that covered it): try the others again.
            for (int i = 1; i < results.size() && i <= names.size(); i++) {
                if (results.get(i).getError() != KeeperException.Code.NONODE.intValue()) {
                    logToDelete.add(names.get(i - 1));
                }
            }
        }

        @Override
        public void left(AgentInfo agent) {
            events.add(() -> reassign(agent.id(), "agent " + agent.id() + " left (session ended)"));
        }

        @Override
        public void joined(AgentInfo agent) {
            events.add(() -> { });
        }

        @Override
        public void updated(AgentInfo agent) {
            events.add(() -> { });
        }

        // ---- assignment ----

        private int assign() throws Exception {
            List<AgentSlot> slots = AssignmentPlanner.openSlots(membership.list(),
                    agent -> inFlight.getOrDefault(agent, Set.of()).size());
            int free = AssignmentPlanner.free(slots);
            if (free == 0 || index.size() == 0) {
                return 0;
            }
            List<PendingEntry> candidates = index.next(Math.min(free, BATCH),
                    labels -> AssignmentPlanner.canPlace(slots, labels));
            if (candidates.isEmpty()) {
                return 0;
            }
            learnLabels(candidates);
            long now = System.currentTimeMillis();
            return commitMoves(planner.plan(slots, candidates, index::labelsOf), now);
        }

        /**
         * Reads the records of labelled candidates whose labels the index does not know yet (the only records the
         * dispatcher reads), in one pipelined round trip.
         */
        private void learnLabels(List<PendingEntry> candidates) throws Exception {
            List<PendingEntry> unknown = candidates.stream().filter(e -> index.labelsOf(e) == null).toList();
            if (unknown.isEmpty()) {
                return;
            }
            List<String> recordPaths = unknown.stream().map(e -> paths.task(e.taskId())).toList();
            List<AsyncReads.Result> records = AsyncReads.getData(store.client(), recordPaths, readTimeout.toMillis());
            for (int i = 0; i < unknown.size(); i++) {
                TaskRecord record = decode(unknown.get(i), records.get(i));
                if (record != null) {
                    index.setLabels(record.id(), record.labels());
                }
            }
        }

        /** The record for a pointer, or null after dealing with a missing or corrupt one. */
        private TaskRecord decode(PendingEntry entry, AsyncReads.Result read) throws Exception {
            if (read.code() == KeeperException.Code.NONODE) {
                // A pointer without a record: the pointer's own delete is still on its way (the task was just
                // cancelled) or was left by a crash of an older version. Remove it, fenced.
                index.remove(entry.taskId());
                commitFenced(List.of(store.client().transactionOp().delete()
                        .forPath(paths.pendingPointer(entry.taskId(), entry.name()))), "stale pointer");
                return null;
            }
            if (!read.ok()) {
                throw KeeperException.create(read.code(), read.path());
            }
            try {
                TaskRecord record = Json.read(read.path(), read.data(), TaskRecord.class);
                if (!record.id().equals(entry.taskId())) {
                    throw new CorruptDataException(read.path(), "record claims id " + record.id());
                }
                return record;
            } catch (CorruptDataException e) {
                index.remove(entry.taskId());
                LOG.warn("task {} is DEAD: {}", entry.taskId(), e.getMessage());
                List<CuratorOp> extra = new ArrayList<>();
                extra.add(store.epochCheck(epochVersion));
                extra.add(store.client().transactionOp().delete()
                        .forPath(paths.pendingPointer(entry.taskId(), entry.name())));
                store.deadLetterCorrupt(entry.taskId(), e, extra);
                metrics.recordEnded(TaskState.DEAD);
                return null;
            }
        }

        /**
         * Sends the moves in transactions of up to {@link #BATCH} without waiting for them (up to
         * {@link #MAX_IN_FLIGHT} at once, pipelined on the session): the view is updated as if they were applied,
         * and put right by {@link #onCommitted} when one is refused.
         */
        private int commitMoves(List<Move> moves, long now) throws Exception {
            for (int from = 0; from < moves.size(); from += BATCH) {
                List<Move> chunk = List.copyOf(moves.subList(from, Math.min(moves.size(), from + BATCH)));
                List<CuratorOp> ops = new ArrayList<>(chunk.size() * 2 + 1);
                ops.add(store.epochCheck(epochVersion));
                for (Move m : chunk) {
                    ensureDir(m.agent());
                    ops.addAll(store.assignOps(m.entry(), m.agent(), ctx.epoch(), now));
                    index.remove(m.entry().taskId());
                    inFlight.computeIfAbsent(m.agent(), a -> new HashSet<>()).add(m.entry().taskId());
                }
                commitsInFlight++;
                store.client().transaction().inBackground((client, event) -> {
                    if (!over) {
                        events.add(() -> onCommitted(chunk, event));
                    }
                }).forOperations(ops);
            }
            return moves.size();
        }

        /** The answer to one chunk of moves, on the dispatcher's thread. */
        private void onCommitted(List<Move> chunk, CuratorEvent event) {
            commitsInFlight--;
            KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
            if (code == KeeperException.Code.OK) {
                metrics.recordAssigned(chunk.size());
                LOG.debug("assigned {} tasks in epoch {}", chunk.size(), ctx.epoch());
                return;
            }
            List<CuratorTransactionResult> results = event.getOpResults();
            if (results != null && !results.isEmpty()
                    && results.get(0).getError() == KeeperException.Code.BADVERSION.intValue()) {
                throw new HaException("dispatcher of epoch " + ctx.epoch() + " was deposed: /epoch changed");
            }
            int failedOp = -1;
            for (int i = 1; results != null && i < results.size(); i++) {
                int err = results.get(i).getError();
                if (err != 0 && err != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    failedOp = i;
                    break;
                }
            }
            Move failed = failedOp < 1 ? null : chunk.get(Math.min(chunk.size() - 1, (failedOp - 1) / 2));
            for (Move m : chunk) {
                Set<String> tasks = inFlight.get(m.agent());
                if (tasks != null) {
                    tasks.remove(m.entry().taskId());
                }
                if (m != failed) {
                    // Not applied because another move of its chunk failed (or, on a lost connection, perhaps
                    // applied: then its pointer is gone and the next attempt to move it fails and forgets it).
                    index.add(m.entry());
                }
            }
            if (failed == null) {
                LOG.warn("assigning {} tasks failed: {}; they stay pending", chunk.size(), code);
                return;
            }
            KeeperException.Code failedCode = KeeperException.Code.get(results.get(failedOp).getError());
            if ((failedOp - 1) % 2 == 1 && failedCode == KeeperException.Code.NONODE) {
                // The agent's directory vanished (it left): the task stays pending and is placed afresh.
                knownDirs.remove(failed.agent());
                index.add(failed.entry());
            } else if (failedCode == KeeperException.Code.NODEEXISTS) {
                LOG.warn("task {} is pending but an assignment of it to {} exists; leaving it until the next reload",
                        failed.entry().taskId(), failed.agent());
            }
            // Otherwise its pointer is gone (cancelled meanwhile): forgotten, as the watch event would have it.
            LOG.debug("could not assign task {} to {}: {}", failed.entry().taskId(), failed.agent(), failedCode);
        }

        private void ensureDir(String agent) throws Exception {
            if (knownDirs.add(agent)) {
                try {
                    store.client().create().forPath(paths.assignedDir(agent));
                } catch (KeeperException.NodeExistsException e) {
                    // The agent made it itself: the usual case.
                }
            }
        }

        private void checkNotDeposed(KeeperException e) {
            List<OpResult> results = e.getResults();
            if (results != null && !results.isEmpty() && results.get(0) instanceof OpResult.ErrorResult err
                    && err.getErr() == KeeperException.Code.BADVERSION.intValue()) {
                throw new HaException("dispatcher of epoch " + ctx.epoch() + " was deposed: /epoch changed");
            }
        }

        private void commitFenced(List<CuratorOp> ops, String what) throws Exception {
            List<CuratorOp> all = new ArrayList<>(ops.size() + 1);
            all.add(store.epochCheck(epochVersion));
            all.addAll(ops);
            try {
                store.commit(all);
            } catch (KeeperException e) {
                checkNotDeposed(e);
                LOG.debug("{} not applied: {}", what, e.code());
            }
        }

        // ---- reassignment ----

        private void reassignOrphans() throws Exception {
            for (String agent : childrenOrEmpty(paths.assigned())) {
                if (!membership.isAlive(agent) && store.client().checkExists().forPath(paths.agent(agent)) == null) {
                    reassign(agent, "agent " + agent + " is not alive");
                }
            }
        }

        /** Takes back every task assigned to an agent that is gone: next attempt, or DEAD when none is left. */
        private void reassign(String agent, String reason) {
            try {
                if (store.client().checkExists().forPath(paths.agent(agent)) != null) {
                    return; // back with a new session: its worker carries on with its assignments
                }
                List<String> tasks = childrenOrEmpty(paths.assignedDir(agent));
                for (String taskId : tasks) {
                    reassignOne(agent, taskId, reason);
                }
                try {
                    store.client().delete().forPath(paths.assignedDir(agent));
                    knownDirs.remove(agent);
                    inFlight.remove(agent);
                } catch (KeeperException.NotEmptyException | KeeperException.NoNodeException e) {
                    // Assigned again meanwhile, or already gone: nothing to tidy.
                }
            } catch (HaException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Connection trouble: the periodic orphan scan comes back to this agent.
                LOG.warn("reassigning the tasks of {} failed: {}; will retry", agent, e.toString());
            }
        }

        private void reassignOne(String agent, String taskId, String reason) throws Exception {
            String assignmentPath = paths.assignment(agent, taskId);
            Stat assignmentStat = store.client().checkExists().forPath(assignmentPath);
            if (assignmentStat == null) {
                return;
            }
            Versioned<TaskRecord> record;
            try {
                record = store.readActive(taskId);
            } catch (CorruptDataException e) {
                store.deadLetterCorrupt(taskId, e, List.of(store.epochCheck(epochVersion),
                        store.client().transactionOp().delete().forPath(assignmentPath)));
                metrics.recordEnded(TaskState.DEAD);
                return;
            }
            if (record == null) {
                // The outcome is already recorded; only the assignment node was left behind.
                commitFenced(List.of(store.client().transactionOp().delete().forPath(assignmentPath)),
                        "stale assignment");
                return;
            }
            long now = System.currentTimeMillis();
            String why = reason + " while it held attempt " + record.value().attempt();
            TaskRecord next = record.value().attemptsLeft()
                    ? record.value().retried(why, now).withoutDelay()
                    : record.value().ended(TaskState.DEAD, why + "; no attempts left ("
                            + record.value().maxAttempts() + ")", now);
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(store.epochCheck(epochVersion));
            ops.addAll(store.leaveAssignmentOps(assignmentPath, assignmentStat.getVersion(), record, next));
            try {
                store.commit(ops);
            } catch (KeeperException e) {
                checkNotDeposed(e);
                LOG.debug("task {} changed while being reassigned: {}", taskId, e.code());
                return;
            }
            metrics.recordReassigned();
            if (next.state().isTerminal()) {
                metrics.recordEnded(next.state());
            }
            LOG.info("task {} reassigned from {}: {} -> {}", taskId, agent, why,
                    next.state() == TaskState.PENDING ? "attempt " + next.attempt() : next.state());
        }
    }
}
