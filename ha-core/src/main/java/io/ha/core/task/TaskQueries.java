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
}
