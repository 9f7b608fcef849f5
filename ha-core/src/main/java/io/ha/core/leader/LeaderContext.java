package io.ha.core.leader;

/**
 * What a {@link LeaderService} knows about the term it runs in.
 *
 * <p>{@link #epoch()} is a fencing token: it is strictly greater than the epoch of every earlier term of any process
 * in the cluster, so a downstream system that remembers the highest epoch it has seen can refuse writes of a deposed
 * leader.
 */
public interface LeaderContext {
    /** The leader epoch of this term. */
    long epoch();

    /** This process's agent id. */
    String agentId();

    /** True while this term lasts; false once leadership can no longer be guaranteed. */
    boolean isLeader();
}
