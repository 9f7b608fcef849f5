package io.ha.core.task.dispatch;

import io.ha.core.CorruptDataException;
import io.ha.core.HaException;
import io.ha.core.internal.ZPaths;
import io.ha.core.membership.Membership;
import io.ha.core.session.EventKind;
import io.ha.core.session.EventTimeline;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.Versioned;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back the tasks of agents that are gone, for a dispatcher term: each assignment goes back to pending with the
 * next attempt, at once (the failure was not the task's), or to DEAD when no attempt is left, in one fenced
 * transaction per task that checks the assignment's version and the record's. Each sweep of an agent that took back
 * at least one task records one {@link EventKind#REASSIGNED} in the timeline (logged once at INFO), with the count.
 *
 * <p>Guarantees: an agent that is registered (even with a new session) keeps its assignments, and a task is taken
 * back at most once per assignment (the versioned delete of the assignment). Not guaranteed: that a failed pass is
 * retried at once; connection trouble leaves the agent to the next orphan scan.
 */
final class OrphanReclaimer {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** Tries of a reclaim whose group checks are refused by members' outcomes before it is left to the next scan. */
    private static final int MAX_GROUP_TRIES = 100;

    private final TaskStore store;
    private final CuratorFramework client;
    private final ZPaths paths;
    private final Membership membership;
    private final DispatchView view;
    private final FencedWriter writer;
    private final TaskMetrics metrics;
    private final EventTimeline timeline;

    OrphanReclaimer(TaskStore store, Membership membership, DispatchView view, FencedWriter writer,
                    TaskMetrics metrics, EventTimeline timeline) {
        this.store = store;
        this.client = store.client();
        this.paths = store.paths();
        this.membership = membership;
        this.view = view;
        this.writer = writer;
        this.metrics = metrics;
        this.timeline = timeline;
    }

    /** Reassigns the assignments of every agent that is not alive (orphans of a leader that died mid-way). */
    void reassignOrphans() throws Exception {
        for (String agent : DispatchView.childrenOrEmpty(client, paths.assigned())) {
            if (!membership.isAlive(agent) && client.checkExists().forPath(paths.agent(agent)) == null) {
                reassign(agent, "agent " + agent + " is not alive");
            }
        }
    }

    /** Takes back every task assigned to an agent that is gone: next attempt, or DEAD when none is left. */
    void reassign(String agent, String reason) {
        try {
            if (client.checkExists().forPath(paths.agent(agent)) != null) {
                return; // back with a new session: its worker carries on with its assignments
            }
            List<String> tasks = DispatchView.childrenOrEmpty(client, paths.assignedDir(agent));
            int pending = 0;
            int dead = 0;
            try {
                for (String taskId : tasks) {
                    TaskState to = reassignOne(agent, taskId, reason);
                    if (to != null && to.isTerminal()) {
                        dead++;
                    } else if (to != null) {
                        pending++;
                    }
                }
            } finally {
                // Also when the sweep broke off: what was taken back was taken back, and the next scan adds the rest.
                recordSweep(agent, reason, pending, dead);
            }
            try {
                client.delete().forPath(paths.assignedDir(agent));
                view.forgetAgent(agent);
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

    private void recordSweep(String agent, String reason, int pending, int dead) {
        if (pending + dead == 0) {
            return;
        }
        int n = pending + dead;
        timeline.record(EventKind.REASSIGNED, writer.epoch(), n + (n == 1 ? " task" : " tasks") + " of agent " + agent
                + " reassigned" + (dead == 0 ? "" : " (" + dead + " to DEAD, no attempts left)") + ": " + reason);
    }

    /** The state the task was moved to, or null when this pass did not move it. */
    private TaskState reassignOne(String agent, String taskId, String reason) throws Exception {
        String assignmentPath = paths.assignment(agent, taskId);
        Stat assignmentStat = client.checkExists().forPath(assignmentPath);
        if (assignmentStat == null) {
            return null;
        }
        Versioned<TaskRecord> record;
        try {
            record = store.readActive(taskId);
        } catch (CorruptDataException e) {
            List<CuratorOp> extra = writer.begin(1);
            extra.add(client.transactionOp().delete().forPath(assignmentPath));
            store.deadLetterCorrupt(taskId, e, extra);
            metrics.recordEnded(TaskState.DEAD);
            return TaskState.DEAD;
        }
        if (record == null) {
            // The outcome is already recorded; only the assignment node was left behind.
            List<CuratorOp> ops = writer.begin(1);
            ops.add(client.transactionOp().delete().forPath(assignmentPath));
            writer.commitOrSkip(ops, "stale assignment");
            return null;
        }
        long now = System.currentTimeMillis();
        String why = reason + " while it held attempt " + record.value().attempt();
        TaskRecord next = record.value().attemptsLeft()
                ? record.value().retried(why, now).withoutDelay()
                : record.value().ended(TaskState.DEAD, why + "; no attempts left ("
                        + record.value().lastAttempt() + ")", now);
        FencedWriter.Refusal refusal;
        int tries = 0;
        List<CuratorOp> ops;
        do {
            // The end of a group's member also writes its group: a refused group check is another member's outcome
            // that came first, so the transaction is built again with fresh reads of the group.
            ops = writer.begin(4);
            ops.addAll(store.leaveAssignmentOps(assignmentPath, assignmentStat.getVersion(), record, next));
            refusal = writer.commitNaming(ops);
        } while (refusal.code() != KeeperException.Code.OK && paths.isGroupPath(refusal.path())
                && ++tries < MAX_GROUP_TRIES);
        if (refusal.code() != KeeperException.Code.OK) {
            LOG.debug("task {} changed while being reassigned: {} at {}", taskId, refusal.code(), refusal.path());
            return null;
        }
        store.logCommitted(ops);
        metrics.recordReassigned();
        if (next.state().isTerminal()) {
            metrics.recordEnded(next.state());
        }
        LOG.info("task {} reassigned from {}: {} -> {}", taskId, agent, why,
                next.state() == TaskState.PENDING ? "attempt " + next.attempt() : next.state());
        return next.state();
    }
}
