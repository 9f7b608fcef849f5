package io.ha.core;


/** ZooKeeper could not be reached within the connection timeout. Names the connect string and the timeout. */
public final class ZooKeeperUnavailableException extends HaException {
    private static final long serialVersionUID = 1L;

    public ZooKeeperUnavailableException(String message) {
        super(message);
    }

    public ZooKeeperUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
