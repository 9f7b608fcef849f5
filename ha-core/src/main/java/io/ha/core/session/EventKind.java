package io.ha.core.session;


/** What kind of state change a {@link ClusterEvent} records. */
public enum EventKind {
    /** The ZooKeeper session was established for the first time. */
    CONNECTED,
    /** The connection dropped; the session may still be alive on the servers. */
    SUSPENDED,
    /** The connection came back with the same or a new session. */
    RECONNECTED,
    /** The session is gone (expired, or suspended past the session timeout). */
    LOST,
    /** This process's agent node was created (or re-created after a session loss). */
    REGISTERED,
    /** This process's agent node was removed on close. */
    DEREGISTERED,
    /** Another agent appeared in the membership view. */
    JOINED,
    /** An agent disappeared from the membership view. */
    LEFT,
    /** This process became leader; the token is the new leader epoch. */
    ELECTED,
    /** This process stopped being leader; the token is the epoch that ended. */
    REVOKED,
    /** The client was stuck LOST with a connected handle (a Curator race after an expiry); its connection was reset. */
    CONNECTION_RESET,
    /** The leader latch was found missing from the election and was re-created. */
    ELECTION_REJOINED,
    /** A lock was acquired; the token is its fencing token. */
    LOCK_ACQUIRED,
    /** A lock was released normally. */
    LOCK_RELEASED,
    /** A lock could no longer be guaranteed (connection SUSPENDED or LOST per policy); its work was interrupted. */
    LOCK_LOST,
    /**
     * This process, as leader, took back the tasks of an agent that left (one event per agent and sweep, naming the
     * agent and how many tasks went back to pending or to DEAD); the token is the leader epoch.
     */
    REASSIGNED
}
