package io.ha.core.cluster;

import io.ha.core.ZooKeeperUnavailableException;
import io.ha.core.internal.ZPaths;
import io.ha.core.session.ClusterContext;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.session.ConnectionPolicy;
import io.ha.core.session.EventTimeline;
import io.ha.core.session.StaleLossRepair;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.framework.state.StandardConnectionStateErrorPolicy;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.data.ACL;

/**
 * Makes the one connected ZooKeeper client of an {@link HaCluster}: starts the embedded server when no connect
 * string is configured, sets the connection policy, the credentials with their ACLs (owner-only, or by role with
 * {@link Roles}: {@link RoleAcls}), and the client's packet limit, and waits for the first connection.
 *
 * <p>Guarantee: {@link #connect} returns a started client whose {@link ConnectionGuard} has seen the connection, or
 * throws {@link ZooKeeperUnavailableException} after the connection timeout; whatever it acquired was handed to
 * {@code track} first, so the caller releases it on failure. The client comes with a {@link StaleLossRepair}, which
 * brings it back when Curator leaves it LOST with a connected handle. Not guaranteed: that the session survives; the
 * guard reports what happens next.
 */
final class ZooKeeperClients {
    /** What {@link #connect} made. {@code embedded} is null when a connect string was given. */
    record Connection(EmbeddedZooKeeper embedded, CuratorFramework client, ConnectionGuard guard,
                      String connectString) {
    }

    private ZooKeeperClients() {
    }

    static Connection connect(ClusterConfig config, EventTimeline timeline, Consumer<Closeable> track)
            throws Exception {
        String connectString = config.connectString();
        EmbeddedZooKeeper embedded = null;
        if (connectString == null) {
            embedded = EmbeddedZooKeeper.start();
            track.accept(embedded);
            connectString = embedded.connectString();
        }
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) config.connectionTimeout().toMillis())
                .retryPolicy(config.retryPolicy())
                // Curator follows /zookeeper/config by default, which would swap the given servers for the addresses
                // the ensemble lists (unreachable behind NAT or a proxy, unnamed in TLS certificates): opt-in only.
                .ensembleTracker(config.followReconfig())
                .connectionStateErrorPolicy(config.connectionPolicy() == ConnectionPolicy.SUSPENDED_IS_LOSS
                        ? new StandardConnectionStateErrorPolicy() : new SessionConnectionStateErrorPolicy());
        if (config.credentials() != null) {
            b.authorization("digest", config.credentials().digestAuth())
                    .aclProvider(config.roles() != null
                            ? new RoleAcls(new ZPaths(config.rootPath(), config.clusterName()).clusterRoot(), config.roles(), config.credentials())
                            : new OwnerOnlyAcl(config.credentials().ownerOnlyAcl()));
        }
        b.zkClientConfig(clientConfig(config.tls()));
        CuratorFramework client = b.build();
        track.accept(client);
        ConnectionGuard guard = new ConnectionGuard(client, config.connectionPolicy(), timeline);
        track.accept(guard);
        track.accept(new StaleLossRepair(client, guard, timeline,
                Duration.ofMillis(Math.max(250, config.sessionTimeout().toMillis() / 4))));
        client.start();
        long timeoutMs = config.connectionTimeout().toMillis();
        if (!client.blockUntilConnected((int) timeoutMs, TimeUnit.MILLISECONDS)
                || !guard.awaitFirstConnection(config.connectionTimeout())) {
            throw new ZooKeeperUnavailableException("could not connect to ZooKeeper at " + connectString + " within "
                    + timeoutMs + " ms (connection timeout); is the server running and reachable?"
                    + (config.tls() == null ? " (TLS is off: a server that only serves TLS drops plain clients)"
                    : " (TLS is on: the server must serve TLS on that port, its certificate must be trusted by the "
                    + "trust store, and it must trust this client's key store when it asks for one)"));
        }
        return new Connection(embedded, client, guard, connectString);
    }

    /**
     * ZooKeeper's client settings (system properties as usual), with room for answers of batched reads, and TLS when
     * {@code tls} is not null.
     */
    static ZKClientConfig clientConfig(ZooKeeperTls tls) {
        ZKClientConfig zk = new ZKClientConfig();
        if (tls != null) {
            tls.applyTo(zk);
        }
        int limit;
        try {
            limit = zk.getInt(ZKConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + ZKConfig.JUTE_MAXBUFFER
                    + " must be a number of bytes, got '" + zk.getProperty(ZKConfig.JUTE_MAXBUFFER) + "'");
        }
        if (limit < ClusterContext.CLIENT_PACKET_LIMIT) {
            zk.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(ClusterContext.CLIENT_PACKET_LIMIT));
        }
        return zk;
    }

    /**
     * With credentials, every node is readable and writable by their digest identity only: named explicitly, since
     * ZooKeeper's creator ACL would also grant the node to the session's other identities (a TLS certificate's).
     */
    private record OwnerOnlyAcl(List<ACL> acl) implements ACLProvider {
        @Override
        public List<ACL> getDefaultAcl() {
            return acl;
        }

        @Override
        public List<ACL> getAclForPath(String path) {
            return acl;
        }
    }
}
