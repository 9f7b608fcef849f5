package io.ha.core.task.store;

/**
 * The content of {@code /assigned/<agent>/<taskId>}: which leader epoch gave this agent the task and when, and the
 * handler's latest progress.
 *
 * @param attempt the attempt the assignment is for, or 0 for "the attempt the record holds" (the leader places tasks
 *                without reading their records, so it does not know the attempt)
 */
public record Assignment(String taskId, String agent, int attempt, long epoch, long assignedAt, int progress,
                  String progressMessage) {
    public Assignment withProgress(int percent, String message) {
        return new Assignment(taskId, agent, attempt, epoch, assignedAt, percent, message);
    }
}
