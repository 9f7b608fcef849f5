package io.ha.core.task;

/**
 * The latest progress a running task's handler published ({@link TaskContext#reportProgress}), as any process of
 * the cluster reads it from the task's assignment node.
 *
 * <p>Guarantee: the values one attempt wrote, on the agent that runs that attempt. Not guaranteed: the very latest
 * value (the agent writes at most a few times a second) or any progress once the attempt ended.
 *
 * @param taskId  the task
 * @param agent   the agent running the attempt
 * @param attempt the attempt that reported it
 * @param percent 0-100
 * @param message the handler's short message, or null
 */
public record TaskProgress(String taskId, String agent, int attempt, int percent, String message) {
}
