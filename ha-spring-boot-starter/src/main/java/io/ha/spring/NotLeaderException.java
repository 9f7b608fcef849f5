package io.ha.spring;

/** A {@link LeaderOnly} method with {@code whenNotLeader = THROW} was called on an instance that does not lead. */
public class NotLeaderException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NotLeaderException(String message) {
        super(message);
    }
}
