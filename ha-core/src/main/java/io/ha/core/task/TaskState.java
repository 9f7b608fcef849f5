package io.ha.core.task;

/**
 * Where a task is in its life cycle: {@code PENDING -> ASSIGNED -> RUNNING -> SUCCEEDED | FAILED | DEAD | CANCELLED},
 * with a failed attempt going back to PENDING while attempts remain.
 */
public enum TaskState {
    /** Waiting for the leader to assign it (possibly delayed until its notBefore time). */
    PENDING,
    /** Assigned to an agent that has not started it yet. */
    ASSIGNED,
    /** An agent's handler is running it. */
    RUNNING,
    /** Terminal: the handler returned a result. */
    SUCCEEDED,
    /** Terminal: the handler refused it as not retryable ({@link NonRetryableTaskException}). */
    FAILED,
    /** Terminal: attempts exhausted, unknown type, or an unreadable record (the dead-letter state). */
    DEAD,
    /** Terminal: cancelled by a user. */
    CANCELLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == DEAD || this == CANCELLED;
    }
}
