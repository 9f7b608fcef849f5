package io.ha.spring;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.session.ConnectionGuard;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code ha} health component: UP while the ZooKeeper session is connected and can be trusted (and, for a
 * member, this instance is registered); DOWN when ZooKeeper is gone (SUSPENDED, LOST), the instance is not
 * registered, or the cluster is not joined. Details: cluster, agent id, role, session state, connected, registered,
 * leader, members seen. Reads only local state (no ZooKeeper round trip), so a health check never blocks on
 * ZooKeeper. Not guaranteed: that a session shown UP has not just expired on the servers (the client learns that
 * when it next hears from them).
 */
public class HaHealthIndicator implements HealthIndicator {
    private final HaClusterLifecycle lifecycle;

    public HaHealthIndicator(HaClusterLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public Health health() {
        HaCluster cluster = lifecycle.cluster();
        Health.Builder b = Health.unknown().withDetail("cluster", cluster.clusterName())
                .withDetail("agentId", cluster.agentId()).withDetail("role", cluster.role().name().toLowerCase());
        if (!lifecycle.isRunning()) {
            return b.down().withDetail("sessionState", "NOT_JOINED").withDetail("connected", false).build();
        }
        try {
            ConnectionGuard guard = cluster.connectionGuard();
            boolean connected = guard.state() == ConnectionGuard.State.CONNECTED && guard.isSafe();
            boolean member = cluster.role() == ClusterRole.MEMBER;
            boolean registered = member && cluster.membership().isAlive(cluster.agentId());
            b.withDetail("sessionState", guard.state().name()).withDetail("connected", connected)
                    .withDetail("leader", cluster.leaderElection().isLeader())
                    .withDetail("members", cluster.membership().size());
            if (member) {
                b.withDetail("registered", registered);
            }
            return (connected && (registered || !member) ? b.up() : b.down()).build();
        } catch (IllegalStateException e) {
            return b.down().withDetail("sessionState", ConnectionGuard.State.CLOSED.name())
                    .withDetail("connected", false).build(); // Closed while asked: the context is stopping.
        }
    }
}
