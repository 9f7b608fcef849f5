package io.ha.agent.bench;

/** A benchmark that could not run or finish; the message says what failed and is printed as is. */
public final class BenchException extends Exception {
    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(message);
    }

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
