package io.ha.core.leader;

/**
 * Work that must run on the leader only. {@link #lead(LeaderContext)} is called on its own thread each time this
 * process becomes leader, and that thread is interrupted as soon as leadership can no longer be guaranteed (latch
 * lost, connection SUSPENDED or LOST per policy, close). A typical service loops until interrupted.
 *
 * <p>If {@code lead} throws, it is called again after a back-off for as long as the same leadership term lasts. If it
 * returns normally it is not called again until the next term.
 */
@FunctionalInterface
public interface LeaderService {
    void lead(LeaderContext context) throws Exception;
}
