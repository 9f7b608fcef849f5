package io.ha.core;


/** The lock was not acquired within the timeout. Names the lock and the timeout. */
public final class LockTimeoutException extends HaException {
    private static final long serialVersionUID = 1L;

    public LockTimeoutException(String message) {
        super(message);
    }
}
