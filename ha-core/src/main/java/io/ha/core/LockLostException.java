package io.ha.core;


/**
 * The lock could no longer be guaranteed while the work ran (connection SUSPENDED or LOST per policy); the work was
 * interrupted and its result, if any, discarded. Names the lock and the fencing token that was lost.
 */
public final class LockLostException extends HaException {
    private static final long serialVersionUID = 1L;

    public LockLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
