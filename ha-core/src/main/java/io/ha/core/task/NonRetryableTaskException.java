package io.ha.core.task;

/** Thrown by a handler to end a task as {@link TaskState#FAILED} at once, without further attempts. */
public class NonRetryableTaskException extends Exception {
    private static final long serialVersionUID = 1L;

    public NonRetryableTaskException(String message) {
        super(message);
    }

    public NonRetryableTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
