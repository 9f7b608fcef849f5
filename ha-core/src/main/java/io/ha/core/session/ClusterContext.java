package io.ha.core.session;

import io.ha.core.internal.ZPaths;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.session.EventTimeline;
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
    /**
     * The largest answer the client accepts from a server ({@code jute.maxbuffer} of the client; ZooKeeper's default
     * is 1 MiB), at least this much: reads of many nodes in one request (a worker's batch of records) may exceed
     * 1 MiB. Only the client's limit on what it receives; what the servers accept is their own setting.
     */
    public static final int CLIENT_PACKET_LIMIT = 32 * 1024 * 1024;
}
