package io.ha.core.task.dispatch;

import io.ha.core.CorruptDataException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Json;
import io.ha.core.membership.Membership;
import io.ha.core.task.AgentSlot;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.dispatch.AssignmentPlanner.Move;
import io.ha.core.task.store.PendingEntry;
import io.ha.core.task.store.TaskStore;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dispatcher term's assignment rounds: offers the free slots and the first pending tasks its limits allow to the
 * {@link AssignmentPlanner} (with the {@link LimitGate}'s round), reads the labels and keys of candidates with
 * attributes it does not know yet, and sends the planned
 * moves in fenced transactions of {@link #BATCH}, up to {@link #MAX_IN_FLIGHT} pipelined, without waiting for them.
 *
 * <p>Guarantees: a task leaves {@code /pending} for at most one agent (each move deletes its pointer), and the view
 * counts a sent move at once, so the next round never plans beyond an agent's capacity; a refused transaction is put
 * right in the view when its answer arrives. Not guaranteed: that a planned move applies (a task cancelled or moved
 * meanwhile is refused and forgotten), nor, when the connection fails mid-send, whether it applied; the task then
 * stays in the index and a second move of it fails on the missing pointer.
 */
final class Assigner {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** Tasks moved per transaction: large enough to amortise a round trip, small enough for jute.maxbuffer. */
    static final int BATCH = 100;
    /** Assignment transactions in flight at once: pipelining hides the round trip and the log sync of each. */
    private static final int MAX_IN_FLIGHT = 4;

    private final TaskStore store;
    private final Membership membership;
    private final AssignmentPlanner planner;
    private final DispatchView view;
    private final FencedWriter writer;
    private final Duration readTimeout;
    private final TaskMetrics metrics;
    /**
     * Pending entries refused by limits that one round's scan passes over before it stops looking: bounds the cost
     * of a round behind a long run of limited tasks (tasks behind them wait for a later round).
     */
    static final int MAX_REFUSED_SCAN = 10_000;

    /** Assignment transactions sent and not yet answered. */
    private int commitsInFlight;
    /** After the last round: millis from its start until a start refused for a rate may be allowed, or -1. */
    private long retryForRateIn = -1;
    private long lastRoundAt;

    Assigner(TaskStore store, Membership membership, AssignmentPlanner planner, DispatchView view,
             FencedWriter writer, Duration readTimeout, TaskMetrics metrics) {
        this.store = store;
        this.membership = membership;
        this.planner = planner;
        this.view = view;
        this.writer = writer;
        this.readTimeout = readTimeout;
        this.metrics = metrics;
    }

    /** Runs one round, unless {@link #MAX_IN_FLIGHT} transactions are unanswered; returns the moves sent. */
    int assignIfRoom() throws Exception {
        return commitsInFlight < MAX_IN_FLIGHT ? assign() : 0;
    }

    /**
     * Millis from {@code now} until a task held back only by a rate may start (the term waits no longer than that),
     * or -1 when the last round held none back for a rate.
     */
    long millisUntilRateRetry(long now) {
        return retryForRateIn < 0 ? -1 : Math.max(0, lastRoundAt + retryForRateIn - now);
    }

    private int assign() throws Exception {
        retryForRateIn = -1;
        PendingIndex index = view.pending();
        List<AgentSlot> slots = AssignmentPlanner.openSlots(membership.list(), view::inFlightCount);
        int free = AssignmentPlanner.free(slots);
        if (free == 0 || index.size() == 0) {
            return 0;
        }
        long now = System.currentTimeMillis();
        lastRoundAt = now;
        LimitGate gate = view.gate();
        // A first pass over the index on the gate's counts, so that tasks a limit refuses are passed over (and do not
        // take the round's places) up to a bound; the planner decides for good below.
        LimitGate.Round scan = gate.limited() ? gate.round(now) : null;
        List<PendingEntry> candidates = index.next(Math.min(free, BATCH),
                labels -> AssignmentPlanner.canPlace(slots, labels),
                scan == null ? null : p -> scan.tryStart(p) == LimitGate.Verdict.ALLOWED, MAX_REFUSED_SCAN);
        if (candidates.isEmpty()) {
            retryForRateIn = scan == null ? -1 : scan.millisUntilNextToken();
            return 0;
        }
        learnAttributes(candidates);
        LimitGate.Round round = gate.round(now);
        List<Move> moves = planner.plan(slots, candidates, index::placementOf, round);
        retryForRateIn = earliest(scan == null ? -1 : scan.millisUntilNextToken(), round.millisUntilNextToken());
        return commitMoves(moves, now);
    }

    /** The earlier of two waits in millis, where -1 means "none". */
    static long earliest(long a, long b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    /**
     * Reads the records of candidates with attributes (labels, concurrency key) the index does not know yet (the
     * only records the dispatcher reads), in one pipelined round trip.
     */
    private void learnAttributes(List<PendingEntry> candidates) throws Exception {
        PendingIndex index = view.pending();
        List<PendingEntry> unknown = candidates.stream().filter(e -> index.placementOf(e) == null).toList();
        if (unknown.isEmpty()) {
            return;
        }
        List<String> recordPaths = unknown.stream().map(e -> store.paths().task(e.taskId())).toList();
        List<AsyncReads.Result> records = AsyncReads.getData(store.client(), recordPaths, readTimeout.toMillis());
        for (int i = 0; i < unknown.size(); i++) {
            TaskRecord record = decode(unknown.get(i), records.get(i));
            if (record != null) {
                index.setAttributes(record.id(), record.type(), record.concurrencyKey(), record.labels());
            }
        }
    }

    /** The record for a pointer, or null after dealing with a missing or corrupt one. */
    private TaskRecord decode(PendingEntry entry, AsyncReads.Result read) throws Exception {
        if (read.code() == KeeperException.Code.NONODE) {
            // A pointer without a record: the pointer's own delete is still on its way (the task was just
            // cancelled) or was left by a crash of an older version. Remove it, fenced.
            view.pending().remove(entry.taskId());
            List<CuratorOp> ops = writer.begin(1);
            ops.add(store.client().transactionOp().delete()
                    .forPath(store.paths().pendingPointer(entry.taskId(), entry.name())));
            writer.commitOrSkip(ops, "stale pointer");
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
            view.pending().remove(entry.taskId());
            LOG.warn("task {} is DEAD: {}", entry.taskId(), e.getMessage());
            List<CuratorOp> extra = writer.begin(1);
            extra.add(store.client().transactionOp().delete()
                    .forPath(store.paths().pendingPointer(entry.taskId(), entry.name())));
            store.deadLetterCorrupt(entry.taskId(), e, extra);
            metrics.recordEnded(TaskState.DEAD);
            return null;
        }
    }

    /**
     * Sends the moves in transactions of up to {@link #BATCH} without waiting for them (pipelined on the session):
     * the view is updated as if they were applied, and put right by {@link #onCommitted} when one is refused.
     */
    private int commitMoves(List<Move> moves, long now) throws Exception {
        for (int from = 0; from < moves.size(); from += BATCH) {
            List<Move> chunk = List.copyOf(moves.subList(from, Math.min(moves.size(), from + BATCH)));
            List<CuratorOp> ops = writer.begin(chunk.size() * 2);
            for (Move m : chunk) {
                view.ensureDir(m.agent());
                ops.addAll(store.assignOps(m.entry(), m.agent(), writer.epoch(), now, m.placement().type(),
                        m.placement().key()));
                view.moved(m, now);
            }
            commitsInFlight++;
            writer.commitInBackground(ops, event -> onCommitted(chunk, event));
        }
        return moves.size();
    }

    /** The answer to one chunk of moves, on the term's thread. */
    private void onCommitted(List<Move> chunk, CuratorEvent event) {
        commitsInFlight--;
        KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
        if (code == KeeperException.Code.OK) {
            chunk.forEach(view::answered);
            metrics.recordAssigned(chunk.size());
            LOG.debug("assigned {} tasks in epoch {}", chunk.size(), writer.epoch());
            return;
        }
        List<CuratorTransactionResult> results = event.getOpResults();
        int failedOp = writer.failedOperation(results);
        // Operation 0 is the epoch check; each move is two operations after it: delete pointer, create assignment.
        Move failed = failedOp < 1 ? null : chunk.get(Math.min(chunk.size() - 1, (failedOp - 1) / 2));
        for (Move m : chunk) {
            view.notMoved(m);
            if (m != failed) {
                // Not applied because another move of its chunk failed (or, on a lost connection, perhaps
                // applied: then its pointer is gone and the next attempt to move it fails and forgets it).
                view.pending().restore(m.entry());
            }
        }
        if (failed == null) {
            LOG.warn("assigning {} tasks failed: {}; they stay pending", chunk.size(), code);
            return;
        }
        KeeperException.Code failedCode = KeeperException.Code.get(results.get(failedOp).getError());
        if ((failedOp - 1) % 2 == 1 && failedCode == KeeperException.Code.NONODE) {
            // The agent's directory vanished (it left): the task stays pending and is placed afresh.
            view.forgetDir(failed.agent());
            view.pending().restore(failed.entry());
        } else if (failedCode == KeeperException.Code.NODEEXISTS) {
            LOG.warn("task {} is pending but an assignment of it to {} exists; leaving it until the next reload",
                    failed.entry().taskId(), failed.agent());
        }
        // Otherwise its pointer is gone (cancelled meanwhile): forgotten, as the watch event would have it.
        LOG.debug("could not assign task {} to {}: {}", failed.entry().taskId(), failed.agent(), failedCode);
    }
}
