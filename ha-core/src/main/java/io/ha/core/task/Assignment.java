package io.ha.core.task;

/**
 * The content of {@code /assigned/<agent>/<taskId>}: which attempt the leader of which epoch gave this agent, and
 * the handler's latest progress.
 */
record Assignment(String taskId, String agent, int attempt, long epoch, long assignedAt, int progress,
                  String progressMessage) {
    Assignment withProgress(int percent, String message) {
        return new Assignment(taskId, agent, attempt, epoch, assignedAt, percent, message);
    }
}
