package io.ha.core;


/** A submit was refused before anything was stored (bad spec, payload too large). The message names the problem. */
public final class TaskRejectedException extends HaException {
    private static final long serialVersionUID = 1L;

    public TaskRejectedException(String message) {
        super(message);
    }
}
