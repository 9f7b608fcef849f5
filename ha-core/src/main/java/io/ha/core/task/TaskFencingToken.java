package io.ha.core.task;

/**
 * Identifies one attempt of one task under one leader: side effects outside ZooKeeper can be made idempotent or
 * fenced with it (keep the highest (epoch, attempt) seen per task and refuse lower ones).
 */
public record TaskFencingToken(String taskId, int attempt, long leaderEpoch) {
}
