package io.ha.core;

/** Base of the framework's checked-free errors: every message names what failed and why. */
public class HaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HaException(String message) {
        super(message);
    }

    public HaException(String message, Throwable cause) {
        super(message, cause);
    }
}
