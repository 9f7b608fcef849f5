package io.ha.core.task.work;

import io.ha.core.internal.AsyncReads;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.store.Versioned;
import java.util.function.Supplier;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the {@link ClaimDecision} on a task whose reads are back (on a claim thread): the claim transaction and
 * then the handler, or the transaction that deals with why the task cannot run here, or nothing. Whatever the
 * decision, the task is released here unless its handler was started.
 *
 * <p>Guarantees: a task is started only after its claim transaction was confirmed, so its record says RUNNING on
 * this agent before the handler runs. Not guaranteed: that a refused or failed claim is retried here; the task
 * stays assigned and the next listing (a reconnect, the audit) looks at it again.
 */
final class Claimer {
    /** The worker's logger: the parts of the worker log as it always did. */
    private static final Logger LOG = LoggerFactory.getLogger(AgentWorker.class);

    private final HeldTasks held;
    private final OutcomeCommitter committer;
    private final TaskRunner runner;
    private final TaskMetrics metrics;
    private final Supplier<ClaimDecision.Agent> agent;

    /** @param agent this agent as it stands now (id, labels, accepting, types), asked once per decision */
    Claimer(HeldTasks held, OutcomeCommitter committer, TaskRunner runner, TaskMetrics metrics,
            Supplier<ClaimDecision.Agent> agent) {
        this.held = held;
        this.committer = committer;
        this.runner = runner;
        this.metrics = metrics;
        this.agent = agent;
    }

    /** Decides on {@code rt} from its two reads and acts; never throws (a failure releases the task). */
    void onReads(RunningTask rt, AsyncReads.Result assignmentRead, AsyncReads.Result recordRead) {
        try {
            long now = System.currentTimeMillis();
            act(rt, ClaimDecision.decide(assignmentRead, recordRead, agent.get(), now), now);
        } catch (Exception e) {
            held.release(rt);
            LOG.warn("could not start task {}: {}", rt.taskId, e.toString());
        }
    }

    private void act(RunningTask rt, ClaimDecision d, long now) throws Exception {
        ClaimDecision.Kind kind = d.kind();
        if (kind == ClaimDecision.Kind.RELEASE) {
            held.release(rt); // taken away before we got to it
            return;
        }
        // The record counts as this worker's (a drain hands it back) only once it is known to match the assignment.
        boolean matches = kind == ClaimDecision.Kind.DEAD_UNKNOWN_TYPE || kind == ClaimDecision.Kind.HAND_BACK
                || kind == ClaimDecision.Kind.CLAIM;
        rt.read(d.assignment(), matches ? d.record() : null);
        switch (kind) {
            case REMOVE_LEFTOVER -> {
                LOG.info("removing leftover assignment of task {}: the task is not active", rt.taskId);
                try {
                    committer.removeLeftover(rt.taskId, d.assignment().version());
                } finally {
                    held.release(rt);
                }
            }
            case DEAD_CORRUPT -> {
                committer.deadCorrupt(rt.taskId, d.assignment().version(), d.problem());
                held.release(rt);
            }
            case MISMATCH -> {
                LOG.warn("assignment of task {} does not match its record ({}); leaving it", rt.taskId,
                        d.record().value());
                held.release(rt);
            }
            case DEAD_UNKNOWN_TYPE, HAND_BACK -> {
                committer.record(rt, d.next());
                held.release(rt);
            }
            case CLAIM -> claim(rt, d, now);
            default -> throw new IllegalStateException("unexpected decision " + kind);
        }
    }

    private void claim(RunningTask rt, ClaimDecision d, long now) throws Exception {
        TaskRecord current = d.record().value();
        TaskRecord claimed = d.next();
        committer.claim(rt.taskId, d.assignment(), d.record(), claimed).whenComplete((results, error) -> {
            if (error != null) {
                held.release(rt);
                if (!(error instanceof KeeperException.BadVersionException
                        || error instanceof KeeperException.NoNodeException)) {
                    LOG.warn("could not start task {}: {}", rt.taskId, error.toString());
                }
                return;
            }
            rt.claimed(new Versioned<>(claimed, OutcomeCommitter.claimedVersion(results)));
            metrics.recordStarted(current, now);
            if (claimed.attempt() > 1) {
                LOG.info("task {} attempt {} started on {}", rt.taskId, claimed.attempt(), rt.agentId());
            }
            runner.start(rt);
        });
    }
}
