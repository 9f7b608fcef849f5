package io.ha.core.task.store;

/**
 * The content of {@code /assigned/<agent>/<taskId>}: which leader epoch gave this agent the task and when, the
 * task's type and concurrency key (so a new leader counts what runs against the limits without reading records),
 * and the handler's latest progress.
 *
 * @param attempt        the attempt the assignment is for, or 0 for "the attempt the record holds" (the leader
 *                       places tasks without reading their records, so it does not know the attempt)
 * @param type           the task's type, or null in an assignment written before types were recorded here
 * @param concurrencyKey the task's concurrency key, or null when it has none (or its type is null)
 */
public record Assignment(String taskId, String agent, int attempt, long epoch, long assignedAt, int progress,
                  String progressMessage, String type, String concurrencyKey) {
    /** An assignment without type and key, as written before they were recorded. */
    public Assignment(String taskId, String agent, int attempt, long epoch, long assignedAt, int progress,
                      String progressMessage) {
        this(taskId, agent, attempt, epoch, assignedAt, progress, progressMessage, null, null);
    }

    public Assignment withProgress(int percent, String message) {
        return new Assignment(taskId, agent, attempt, epoch, assignedAt, percent, message, type, concurrencyKey);
    }
}
