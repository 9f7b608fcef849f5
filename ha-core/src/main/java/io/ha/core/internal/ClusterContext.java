package io.ha.core.internal;

import io.ha.core.cluster.ConnectionGuard;
import io.ha.core.cluster.EventTimeline;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;

/**
 * What every component of one {@code HaCluster} shares: the started client, the path layout, the connection policy
 * and the event timeline. Handed to components by {@code HaCluster}; not for users.
 */
public record ClusterContext(
        CuratorFramework client,
        ZPaths paths,
        String agentId,
        ConnectionGuard guard,
        EventTimeline timeline,
        Duration sessionTimeout,
        Duration connectionTimeout) {
}
