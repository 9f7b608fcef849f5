package io.ha.core.task;

import io.ha.core.NoSuchGroupException;
import io.ha.core.NoSuchTaskException;
import io.ha.core.TaskRejectedException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Submit, cancel and inspect tasks. Usable from any process connected to the cluster (agents, observers, CLIs);
 * obtained from {@code HaCluster.taskQueue()}.
 *
 * <p>Guarantees: a submit that returns has stored the task durably (a ZooKeeper transaction acknowledged by a quorum);
 * it is never lost afterwards, whatever agents, leaders or servers fail. Submits with the same idempotency key
 * return the id of the first task and add nothing. Execution is at-least-once; the outcome is recorded exactly once.
 * Not guaranteed: ordering between tasks beyond "higher priority first, then older first" on a best-effort basis.
 */
public interface TaskQueue extends TaskQueries {
    /** Default payload limit, 256 KiB. */
    int DEFAULT_MAX_PAYLOAD = 256 * 1024;
    /** Hard ceiling for the payload limit: the whole record must stay well below jute.maxbuffer (1 MiB). */
    int MAX_PAYLOAD_CEILING = 512 * 1024;

    /** The largest payload (and handler result) this queue accepts, in bytes. */
    int maxPayloadBytes();

    /** Stores one task; returns its id (the existing one for a known idempotency key). */
    String submit(TaskSpec spec) throws Exception;

    /**
     * Stores many tasks with as few transactions as possible: up to 300 tasks (or 512 KiB) per transaction, each
     * transaction all-or-nothing. Returns the ids in the order of {@code specs}.
     *
     * @throws TaskRejectedException before storing anything when a spec breaks a limit (names the task and limit)
     */
    List<String> submitAll(List<TaskSpec> specs) throws Exception;

    /**
     * Cancels a task that has not ended: a pending one never runs; a running one's handler is interrupted and its
     * outcome dropped. Records CANCELLED exactly once.
     *
     * @return true when this call cancelled it, false when it had already ended
     * @throws NoSuchTaskException when no task has this id
     */
    boolean cancel(String taskId) throws Exception;

    /**
     * Puts a DEAD or FAILED task back to pending, due at once, with a fresh budget of its max attempts counted from
     * the next attempt number (numbers only grow, so fencing tokens never repeat); its history and idempotency key
     * are kept. One transaction: a task is revived at most once per terminal record.
     *
     * @return the task's record as stored now (PENDING)
     * @throws NoSuchTaskException   when no task has this id
     * @throws TaskRejectedException naming the id and state when it is not DEAD or FAILED, or is a group member
     *                               (group members are retried through their group)
     */
    TaskRecord retry(String taskId) throws Exception;

    /**
     * Retries up to {@code limit} (1-10000) tasks in {@code state} (DEAD or FAILED), newest first, only those of
     * {@code type} unless it is null; tasks that move meanwhile or belong to a group are skipped.
     *
     * @return the records of the tasks put back to pending
     */
    List<TaskRecord> retryAll(TaskState state, String type, int limit) throws Exception;

    /**
     * A future of the task's terminal record (SUCCEEDED, FAILED, DEAD or CANCELLED), driven by a watch (no polling);
     * complete at once when the task has already ended, exceptionally with {@link NoSuchTaskException} for an
     * unknown id. It survives connection losses (outcomes recorded meanwhile are looked up after the reconnect).
     * Cancelling it does not cancel the task. It completes on the queue's own thread: run blocking dependent work
     * with the {@code ...Async} variants. Not guaranteed: completion when the terminal record is pruned while this
     * client is disconnected.
     */
    CompletableFuture<TaskRecord> future(String taskId);

    /** The futures of many tasks as one: their terminal records in the order of {@code taskIds} (see {@link #future}). */
    default CompletableFuture<List<TaskRecord>> futures(List<String> taskIds) {
        return TaskFutures.allOf(taskIds.stream().map(this::future).toList());
    }

    /** {@link #submitGroup(GroupSpec)} with the default policy: {@code join} runs once every member has ended. */
    default GroupSubmission submitGroup(List<TaskSpec> members, TaskSpec join) throws Exception {
        return submitGroup(GroupSpec.of(members, join));
    }

    /**
     * Stores a fan-in group: its members (up to 300 per transaction, as {@link #submitAll}) and, for later, its join.
     * The join is created exactly once, in the transaction that records the outcome ending the last member, with
     * the members' ids, states and results as its input ({@link JoinInput}). Members' terminal records are kept
     * until the join's chain has ended. Not guaranteed: a submitter that fails mid-way leaves a group in state
     * SUBMITTING whose stored members run but never join; {@link #cancelGroup} ends it.
     *
     * @throws TaskRejectedException before storing anything when a task breaks a limit, carries an idempotency key
     *                               or fans out (names the member's index)
     */
    GroupSubmission submitGroup(GroupSpec group) throws Exception;

    /**
     * The group as stored now: members per state, the join's id and state.
     *
     * @throws NoSuchGroupException naming the id when no group has it (or it was pruned)
     */
    GroupStatus group(String groupId) throws Exception;

    /**
     * Cancels a group: no join is created afterwards, and every member (the running step of its chain) and the
     * join that has not ended is cancelled. Idempotent.
     *
     * @return true when this call cancelled it, false when it had already ended or been cancelled
     * @throws NoSuchGroupException naming the id when no group has it
     */
    boolean cancelGroup(String groupId) throws Exception;
}
