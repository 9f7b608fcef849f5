package io.ha.core.session;

import io.ha.core.internal.ZPaths;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;

/**
 * What every component of one {@code HaCluster} shares: the started client, the path layout, the connection policy
 * and the event timeline. The wiring of ha-core's components: {@code HaCluster} makes one and hands it to each
 * component's constructor (tests make one with {@code ZkTestBase.context}). Applications never need it, and ArchUnit
 * keeps ha-agent and the samples from using it; it carries no guarantee of its own.
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
