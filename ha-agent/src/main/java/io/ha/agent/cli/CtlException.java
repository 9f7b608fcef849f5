package io.ha.agent.cli;

/**
 * A failure ha-ctl reports as one line on stderr with a given exit code: {@link #FAILED} when the operation could not
 * be done (unknown task, unreachable ZooKeeper, timeout), {@link #USAGE} when the command line or the configuration
 * is wrong. The message names the problem and never contains a secret.
 */
final class CtlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private final int exitCode;

    private CtlException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static CtlException failed(String message) {
        return new CtlException(FAILED, message);
    }

    static CtlException usage(String message) {
        return new CtlException(USAGE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
