package io.ha.core.task;

/**
 * Runs tasks of one type on an agent. Return the result to record the task as SUCCEEDED; throw to fail the attempt
 * (retried with back-off while attempts remain, then DEAD), or throw {@link NonRetryableTaskException} to end it
 * FAILED at once.
 *
 * <p>Execution is at-least-once: a handler may run again for the same task after a crash or a session loss, so make
 * its side effects idempotent or fence them with {@link TaskContext#fencingToken()}. The handler's thread is
 * interrupted when the task is cancelled or the agent can no longer prove it holds the task; its outcome is then
 * discarded.
 */
@FunctionalInterface
public interface TaskHandler {
    /** @return the result to store with the task (may be null for none) */
    byte[] handle(TaskContext context) throws Exception;
}
