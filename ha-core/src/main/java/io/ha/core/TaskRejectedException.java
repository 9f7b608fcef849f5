package io.ha.core;


/**
 * A submit or a retry was refused before anything was stored (bad spec, payload too large, a task that cannot be
 * retried). The message names the problem.
 */
public final class TaskRejectedException extends HaException {
    private static final long serialVersionUID = 1L;

    public TaskRejectedException(String message) {
        super(message);
    }
}
