package io.ha.core.task;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * This agent's side of the task queue: the handlers it runs and the tasks it holds. Obtained from
 * {@code HaCluster.worker()} on a member.
 *
 * <p>Guarantees: an outcome is recorded only while this agent still holds the task's assignment, so a zombie (an
 * agent whose session expired while its handler ran) cannot record one; when the connection can no longer be
 * trusted, running handlers are interrupted and their outcomes dropped. Not guaranteed: that a handler runs only
 * once (execution is at-least-once; fence side effects with {@link TaskContext#fencingToken()}).
 */
public interface Worker {
    /**
     * Runs tasks of {@code type} with {@code handler}, at most {@code concurrency} at once. The first registration
     * starts the worker: from then on this agent accepts tasks. Agents without a handler for a task's type end it
     * DEAD, so give agents with different handlers different labels.
     *
     * @throws IllegalArgumentException naming the type when it is invalid or already has a handler
     */
    Worker register(String type, TaskHandler handler, int concurrency) throws Exception;

    /** Total task slots (sum of the registered concurrencies). */
    int capacity();

    /** Ids of the tasks this worker holds right now. */
    Set<String> runningTasks();

    /** Progress of the tasks this worker holds (task id to percent, -1 when not reported). */
    Map<String, Integer> progress();

    /** True while this agent takes new tasks (a handler is registered and it is not draining or closed). */
    boolean isAccepting();

    /**
     * Stops taking tasks, lets running ones finish for up to {@code timeout}, then interrupts the rest and hands
     * every task it still holds back to pending at once. The worker stays registered but no longer accepts tasks.
     */
    void drain(Duration timeout) throws Exception;
}
