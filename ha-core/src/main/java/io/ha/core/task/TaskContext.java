package io.ha.core.task;

import java.nio.charset.StandardCharsets;

/** What a {@link TaskHandler} knows about the attempt it runs. */
public interface TaskContext {
    String taskId();

    String type();

    byte[] payload();

    default String payloadAsString() {
        return new String(payload(), StandardCharsets.UTF_8);
    }

    /**
     * For a follow-up task: its parent's result (or, for a failure follow-up, the parent's last error as UTF-8);
     * otherwise an empty array.
     */
    byte[] input();

    /** For a follow-up task: the id of the task whose outcome created it; otherwise null. */
    String parentId();

    /** The attempt number, starting at 1. */
    int attempt();

    /** The last attempt this run may reach: the spec's maxAttempts, counted from the retry for a retried task. */
    int maxAttempts();

    /** Attempt and leader epoch of this run, for fencing side effects outside ZooKeeper. */
    TaskFencingToken fencingToken();

    /** This agent's id. */
    String agentId();

    /**
     * True once the task was cancelled, taken away from this agent, or ran past its timeout; the thread is
     * interrupted as well.
     */
    boolean isCancelled();

    /**
     * Publishes progress (0-100) and a short message in the task's assignment node; written at most a few times a
     * second, the latest value wins.
     */
    void reportProgress(int percent, String message);
}
