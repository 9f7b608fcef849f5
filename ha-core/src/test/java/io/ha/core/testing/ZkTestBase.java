package io.ha.core.testing;

import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.HaClusterBuilder;
import io.ha.core.internal.ZPaths;
import io.ha.core.session.ClusterContext;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.session.ConnectionPolicy;
import io.ha.core.session.EventTimeline;
import io.ha.testkit.zk.SessionExpiry;
import java.io.Closeable;
import java.io.File;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * One real ZooKeeper server (curator-test {@link TestingServer}, 127.0.0.1) per test, with short ticks so sessions
 * can be short, and helpers to make cluster members and to fail them. Everything made is closed after the test.
 */
public abstract class ZkTestBase {
    /** ZooKeeper tick: sessions may last 2 to 20 ticks. */
    public static final int TICK_MS = 250;
    public static final Duration SESSION = Duration.ofMillis(4000);
    public static final Duration CONNECTION = Duration.ofMillis(3000);
    /** Generous upper bound for anything that should happen within a session timeout or two. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    protected TestingServer server;
    private final Deque<Closeable> closeables = new ArrayDeque<>();

    @BeforeEach
    void startServer() throws Exception {
        server = newServer(0, null);
    }

    @AfterEach
    void closeAll() {
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                // Best effort: the next test gets a fresh server anyway.
            }
        }
        try {
            server.close();
        } catch (Exception e) {
            // Same.
        }
    }

    /** A server bound to 127.0.0.1 with {@link #TICK_MS} ticks; port 0 picks a free one, dataDir null a temp one. */
    public static TestingServer newServer(int port, File dataDir) throws Exception {
        File dir = dataDir != null ? dataDir : Files.createTempDirectory("ha-test-zk").toFile();
        InstanceSpec spec = new InstanceSpec(dir, port == 0 ? InstanceSpec.getRandomPort() : port, -1, -1, true, -1,
                TICK_MS, -1, Map.of("clientPortAddress", "127.0.0.1", "admin.enableServer", "false"), "127.0.0.1");
        return new TestingServer(spec, true);
    }

    protected <T extends Closeable> T closeLater(T closeable) {
        closeables.push(closeable);
        return closeable;
    }

    /** A builder preset for this test's server with short timeouts. */
    protected HaClusterBuilder builder(String agentId) {
        return HaCluster.builder()
                .connectString(server.getConnectString())
                .clusterName("test")
                .agentId(agentId)
                .sessionTimeout(SESSION)
                .connectionTimeout(CONNECTION)
                .leaderStopTimeout(Duration.ofSeconds(5));
    }

    /**
     * The wiring of one component without an {@link HaCluster}: a started client of this test's server, its
     * {@link ConnectionGuard} and the layout of cluster {@code test} (only {@code /ha/test} itself is created), so a
     * test can build a store, a queue, a dispatcher or a worker on its own. Closed after the test.
     */
    protected ClusterContext context(String agentId) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .sessionTimeoutMs((int) SESSION.toMillis()).connectionTimeoutMs((int) CONNECTION.toMillis())
                .retryPolicy(new RetryUntilElapsed((int) SESSION.toMillis(), 200)).build();
        closeLater(client);
        EventTimeline timeline = new EventTimeline(agentId, EventTimeline.DEFAULT_CAPACITY, Clock.systemUTC());
        ConnectionGuard guard = closeLater(new ConnectionGuard(client, ConnectionPolicy.SUSPENDED_IS_LOSS, timeline));
        client.start();
        if (!guard.awaitFirstConnection(CONNECTION)) {
            throw new IllegalStateException("test server at " + server.getConnectString() + " did not answer");
        }
        ZPaths paths = new ZPaths("/ha", "test");
        client.create().creatingParentsIfNeeded().forPath(paths.clusterRoot());
        return new ClusterContext(client, paths, agentId, guard, timeline, SESSION, CONNECTION);
    }

    /** The znode layout of {@code cluster}, for tests that inspect or break ZooKeeper's state directly. */
    public static ZPaths paths(HaCluster cluster) {
        return new ZPaths(cluster.rootPath(), cluster.clusterName());
    }

    /** A started member named {@code agentId}, closed after the test. */
    protected HaCluster member(String agentId) throws Exception {
        return member(agentId, b -> { });
    }

    protected HaCluster member(String agentId, Consumer<HaClusterBuilder> customize) throws Exception {
        HaClusterBuilder b = builder(agentId);
        customize.accept(b);
        HaCluster cluster = b.build();
        closeLater(cluster);
        return cluster.start();
    }

    /**
     * Expires the member's session on the server, the way a long partition does: the server closes the session and
     * deletes its ephemeral nodes at once; the client learns of it when it next talks to the server.
     */
    protected void expireSessionOnServer(HaCluster cluster) throws Exception {
        SessionExpiry.expire(cluster.curator().getZookeeperClient().getZooKeeper(), server.getConnectString(), SESSION,
                WAIT);
    }

    /** Expires the member's session on the client side first (Curator's KillSession), as Curator's own tests do. */
    protected static void killSessionOnClient(HaCluster cluster) throws Exception {
        KillSession.kill(cluster.curator().getZookeeperClient().getZooKeeper());
    }
}
