package io.ha.core.task;

import io.ha.core.NoSuchTaskException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Reads of the task queue: one task, a listing, counts, or a wait for an outcome. Usable from any process connected
 * to the cluster.
 *
 * <p>Guarantee: every read reflects state that a quorum acknowledged; a task that was just assigned and not yet
 * claimed reads as ASSIGNED to the agent that holds it. Not guaranteed: a consistent snapshot across tasks
 * (a listing or the counts may mix moments while tasks move).
 */
public interface TaskQueries {
    /** The task as stored now, or empty when no task has this id. */
    Optional<TaskRecord> get(String taskId) throws Exception;

    /**
     * The progress the task's running attempt last published, read from its assignment node; empty when the task is
     * not running (unknown, pending, just assigned, ended) or its handler has reported none.
     */
    Optional<TaskProgress> progress(String taskId) throws Exception;

    /**
     * Waits until the task ends and returns its terminal record.
     *
     * @throws TimeoutException    naming the task and its state when it has not ended in time
     * @throws NoSuchTaskException when no task has this id
     */
    TaskRecord await(String taskId, Duration timeout) throws Exception;

    /** Number of tasks per state, read from directory sizes (and, for in-flight tasks, their records). */
    Map<TaskState, Long> counts() throws Exception;

    /**
     * Up to {@code limit} tasks in {@code state}: pending ones in dispatch order (priority, then age), others
     * newest first.
     */
    List<TaskRecord> list(TaskState state, int limit) throws Exception;

    /**
     * One page of the tasks in {@code state} (or in every state when null), only those of {@code type} unless it is
     * null, starting at {@code cursor} (null for the first page; otherwise a {@link TaskPage#next()} of this same
     * listing). Never reads the whole store: a page reads at most a bounded number of names and records, so a page
     * stays fast with millions of tasks, and a page may hold fewer than {@code limit} tasks though more follow.
     *
     * <p>Order: assigned and running tasks newest first; pending and ended tasks are stored in hash buckets, which are
     * walked one after the other: within a bucket pending tasks come in dispatch order and ended ones newest first,
     * but there is no order across buckets (use {@link #list} for the first tasks in dispatch or age order). Without
     * a state, the states are walked in the order RUNNING, ASSIGNED, PENDING, then the terminal ones.
     *
     * @param limit 1 to {@link TaskPage#MAX_LIMIT}
     * @throws IllegalArgumentException for a limit out of range or a cursor that is not one this listing made
     */
    TaskPage page(TaskState state, String type, String cursor, int limit) throws Exception;

    /** The task an idempotency key was submitted with, or empty when no task has this key (or it was pruned). */
    Optional<TaskRecord> findByKey(String idempotencyKey) throws Exception;
}
