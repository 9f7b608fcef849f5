package io.ha.core.cluster;

/** Whether an {@link HaCluster} takes part as a member or only watches. */
public enum ClusterRole {
    /** Registers an agent node and joins the leader election. */
    MEMBER,
    /** Connects, sees membership and leadership, uses locks; neither registers nor runs for leader (CLIs, tools). */
    OBSERVER
}
