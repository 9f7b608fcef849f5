package io.ha.core.leader;

/** Told when this process starts and ends a leadership term. Called on the election's own thread; must be quick. */
public interface LeaderListener {
    default void elected(long epoch) {
    }

    default void revoked(long epoch) {
    }
}
