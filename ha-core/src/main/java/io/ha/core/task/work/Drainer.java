package io.ha.core.task.work;

import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.Versioned;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second half of a graceful drain, once the worker no longer accepts tasks: waits for the held tasks to finish,
 * up to the drain timeout, then stops the rest and hands each back to pending itself (instead of leaving it to the
 * leader after the session expires). A task that never started goes back without using an attempt; one that was
 * interrupted goes back with the next attempt (its side effects may have begun, and the fencing token must change),
 * or DEAD when it has none left.
 *
 * <p>Waiting is on {@link HeldTasks#awaitUntil}: a drain returns as soon as the last held task is released, not
 * after a polling interval.
 *
 * <p>Guarantees: when it returns, every task this agent held with its record read has been handed back, or found to
 * be no longer this agent's, or its hand-back failed and was logged; and the assignments that arrived last were
 * listed and (within the session timeout) handed back by their claims. Not guaranteed: that a handler that ignores
 * interrupts has stopped; its outcome is dropped when it returns.
 */
final class Drainer {
    /** The worker's logger: the parts of the worker log as it always did. */
    private static final Logger LOG = LoggerFactory.getLogger(AgentWorker.class);

    private final ClusterContext ctx;
    private final TaskStore store;
    private final HeldTasks held;
    private final OutcomeCommitter committer;
    private final AssignmentFeed feed;

    Drainer(ClusterContext ctx, TaskStore store, HeldTasks held, OutcomeCommitter committer, AssignmentFeed feed) {
        this.ctx = ctx;
        this.store = store;
        this.held = held;
        this.committer = committer;
        this.feed = feed;
    }

    /**
     * Drains: call once the worker has stopped accepting (so every new claim hands its task back).
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting
     * @throws Exception            when re-reading a held task's record or assignment fails
     */
    void drain(Duration timeout) throws Exception {
        held.awaitUntil(held::isEmpty, System.nanoTime() + timeout.toNanos());
        List<RunningTask> left = held.all();
        for (RunningTask rt : left) {
            rt.stop(true);
        }
        for (RunningTask rt : left) {
            if (rt.record() != null) {
                handBack(rt);
            }
        }
        // Assigned but never started here (the leader's last batch): hand those back too.
        feed.relistNow().get();
        // Those claims run on the claim threads: wait (briefly) until each was handed back.
        held.awaitUntil(() -> !held.anyNotStarted(), System.nanoTime() + ctx.sessionTimeout().toNanos());
        LOG.info("worker {} drained: {} task(s) handed back", ctx.agentId(), left.size());
    }

    /**
     * Hands back a stopped task at the versions it has now: its handler may have written progress or may still be
     * finishing, so the record and the assignment are read again rather than taken from {@code rt}.
     */
    private void handBack(RunningTask rt) throws Exception {
        Versioned<TaskRecord> fresh = store.readActive(rt.taskId);
        if (fresh == null || !ctx.agentId().equals(fresh.value().agent())) {
            return;
        }
        Versioned<Assignment> a = store.readAssignment(ctx.agentId(), rt.taskId);
        if (a != null) {
            String reason = "agent " + ctx.agentId() + " drained before the task finished";
            committer.record(rt.taskId, a.version(), fresh,
                    handedBack(fresh.value(), reason, rt.started, System.currentTimeMillis()));
        }
    }

    /**
     * The record a drain gives back: unchanged attempt when the task never {@code started} here; else the next
     * attempt, due at once (the drain is not the task's fault), or DEAD when no attempt is left.
     */
    static TaskRecord handedBack(TaskRecord current, String reason, boolean started, long now) {
        return started && current.attemptsLeft() ? current.retried(reason, now).withoutDelay()
                : started ? current.ended(TaskState.DEAD, reason + "; no attempts left", now)
                : current.handedBack(reason, now);
    }
}
