package io.ha.core.task.store;

import com.google.common.base.Preconditions;
import io.ha.core.NoSuchTaskException;
import io.ha.core.TaskRejectedException;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts DEAD and FAILED tasks back to pending ({@code TaskQueue.retry}): one transaction deletes the terminal record
 * (checked by its version), creates the active record with a fresh attempt budget and its history kept, its pending
 * pointer and the announcement for the leader.
 *
 * <p>Guarantees: a task is revived at most once per terminal record (two concurrent retries: one wins, the other is
 * refused because the task is then PENDING); a refused retry stores nothing. Only DEAD and FAILED tasks outside a
 * group are retried; attempt numbers keep growing across a retry, so fencing tokens never repeat. Not guaranteed:
 * that the follow-ups its earlier outcome created are undone (they stay).
 */
public final class TaskRetrier {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRetrier.class);

    private final ClusterContext ctx;
    private final TaskStore store;
    private final TaskReader reader;

    public TaskRetrier(ClusterContext ctx, TaskStore store, TaskReader reader) {
        this.ctx = ctx;
        this.store = store;
        this.reader = reader;
    }

    /**
     * Puts a DEAD or FAILED task back to pending, due at once.
     *
     * @return the task's record as stored now (PENDING, at the next attempt number with a fresh budget)
     * @throws NoSuchTaskException    when no task has this id
     * @throws TaskRejectedException  naming the id and its state when it is not DEAD or FAILED, or is a group member
     */
    public TaskRecord retry(String taskId) throws Exception {
        TaskIds.check(taskId);
        while (true) {
            Versioned<TaskRecord> read = store.readDoneVersioned(taskId);
            TaskRecord done = read == null ? null : read.value();
            if (done == null) {
                TaskRecord active = reader.get(taskId).orElseThrow(() -> new NoSuchTaskException(taskId));
                throw notRetryable(active);
            }
            if (done.state() != TaskState.DEAD && done.state() != TaskState.FAILED) {
                throw notRetryable(done);
            }
            if (done.groupId() != null) {
                throw new TaskRejectedException("task " + taskId + " is a member of group " + done.groupId()
                        + "; group members are retried through their group");
            }
            TaskRecord revived = done.revived(ctx.agentId(), System.currentTimeMillis());
            List<CuratorOp> ops = new ArrayList<>(store.reviveOps(done.state(), read.version(), revived));
            ops.add(store.announceOp(List.of(PendingEntry.pointerNameOf(revived)), List.of()));
            try {
                store.commit(ops);
                LOG.info("task {} retried by {}: {} -> PENDING with {} fresh attempt(s)", taskId, ctx.agentId(),
                        done.state(), revived.maxAttempts());
                return revived;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                // Retried, pruned or rewritten meanwhile: look again (it is then active, unknown, or still ended).
            } catch (KeeperException.NodeExistsException e) {
                // The transaction applied and its reply was lost (Curator retried it after a connection loss), or
                // another retry revived it meanwhile: the record now says which.
                TaskRecord now = reader.get(taskId).orElseThrow(() -> new NoSuchTaskException(taskId));
                if (now.state() == TaskState.PENDING && now.equals(revived)) {
                    return now;
                }
            }
        }
    }

    /**
     * Retries up to {@code limit} tasks in {@code state} (DEAD or FAILED), newest first, of {@code type} only when it
     * is not null. Tasks that moved meanwhile (retried by someone else, pruned) or are group members are skipped.
     *
     * @return the records of the tasks this call put back to pending
     */
    public List<TaskRecord> retryAll(TaskState state, String type, int limit) throws Exception {
        Preconditions.checkArgument(state == TaskState.DEAD || state == TaskState.FAILED,
                "only DEAD or FAILED tasks can be retried, not %s", state);
        Preconditions.checkArgument(limit >= 1 && limit <= 10_000, "retry limit must be in 1-10000, got %s", limit);
        List<TaskRecord> out = new ArrayList<>();
        for (TaskRecord r : reader.list(state, 10_000)) {
            if (out.size() >= limit) {
                break;
            }
            if ((type != null && !type.equals(r.type())) || r.groupId() != null) {
                continue;
            }
            try {
                out.add(retry(r.id()));
            } catch (NoSuchTaskException | TaskRejectedException e) {
                LOG.debug("task {} not retried: {}", r.id(), e.getMessage());
            }
        }
        return out;
    }

    private static TaskRejectedException notRetryable(TaskRecord r) {
        return new TaskRejectedException("task " + r.id() + " is " + r.state() + "; only DEAD or FAILED tasks can be "
                + "retried");
    }
}
