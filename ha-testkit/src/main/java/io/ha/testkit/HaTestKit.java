package io.ha.testkit;

import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.HaClusterBuilder;
import io.ha.testkit.zk.Ensemble;
import io.ha.testkit.internal.MemberLink;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit 5 extension that runs real ZooKeeper servers on 127.0.0.1 (one TestingServer, or a TestingCluster of 3 or
 * 5) and makes {@link TestMember members} on them, each behind its own fault point, with the server faults (kill and
 * restart a server, lose and regain quorum) as method calls. Register it with {@code @RegisterExtension}: on a
 * {@code static} field the servers live for the test class, on an instance field for each test. Members always live
 * for one test: they are closed after it, and in a class-wide kit the servers a test stopped are started again.
 *
 * <p>Guarantees: every member has a session of its own ({@link Builder#sessionTimeout}, 4 s by default, with 250 ms
 * ticks); faults hit only what they name. Not guaranteed: timing. Failover takes what the session timeout makes it
 * take, so a test waits for outcomes (Awaitility) instead of sleeping for them.
 */
public final class HaTestKit implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaTestKit.class);

    private final int servers;
    private final Duration session;
    private final Duration connection;
    private final String clusterName;
    private final Deque<AutoCloseable> perTest = new ArrayDeque<>();
    private final List<Integer> quorumLost = new ArrayList<>();
    private Ensemble ensemble;
    private boolean classWide;

    private HaTestKit(Builder b) {
        this.servers = b.servers;
        this.session = b.session;
        this.connection = b.connection;
        this.clusterName = b.clusterName;
    }

    /** A kit on one standalone server with the defaults. */
    public static HaTestKit server() {
        return builder().build();
    }

    /** A kit on a TestingCluster of {@code servers} (3 or 5) with the defaults. */
    public static HaTestKit ensemble(int servers) {
        return builder().servers(servers).build();
    }

    private static int tickMs(Duration session) {
        return session.toMillis() <= 5000 ? 250 : 1000;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the servers (done by the extension callbacks; call it yourself outside JUnit). */
    public synchronized HaTestKit start() throws Exception {
        if (ensemble == null) {
            ensemble = Ensemble.start(servers, tickMs(session));
        }
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        classWide = true;
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        closeMembers();
        if (classWide) {
            for (int i = 0; i < ensemble.size(); i++) {
                ensemble.restart(i); // a later test of the class starts with every server up
            }
            quorumLost.clear();
        } else {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    /** Closes every member, then the servers. */
    @Override
    public synchronized void close() throws Exception {
        closeMembers();
        if (ensemble != null) {
            ensemble.close();
            ensemble = null;
        }
    }

    private synchronized void closeMembers() {
        // Newest first: a member is closed before the proxies it talks through.
        while (!perTest.isEmpty()) {
            try {
                perTest.pop().close();
            } catch (Exception e) {
                // Best effort: the servers go next (or the next test makes new members), so nothing is left over.
                log.debug("closing after a test failed", e);
            }
        }
    }

    /** A started member {@code agentId} of this kit's cluster, behind its own proxies, closed after the test. */
    public TestMember member(String agentId) throws Exception {
        return member(agentId, b -> { });
    }

    /** As {@link #member(String)}, with {@code customize} applied to the preset builder before it is built. */
    public TestMember member(String agentId, Consumer<HaClusterBuilder> customize) throws Exception {
        MemberLink link = register(new MemberLink(running()));
        HaClusterBuilder b = builder(agentId).connectString(link.connectString());
        customize.accept(b);
        HaCluster cluster = register(b.build());
        cluster.start();
        return new TestMember(this, cluster, link);
    }

    /**
     * A builder preset for this kit (cluster name, agent id, session and connection timeouts) and connected straight
     * to the servers, with no fault point: for a member the test never fails, or for one it builds itself.
     */
    public HaClusterBuilder builder(String agentId) {
        return HaCluster.builder()
                .connectString(directConnectString())
                .clusterName(clusterName)
                .agentId(agentId)
                .sessionTimeout(session)
                .connectionTimeout(connection)
                .leaderStopTimeout(Duration.ofSeconds(5));
    }

    /** Closes {@code closeable} after the test, before the members made before it. */
    public synchronized <T extends AutoCloseable> T register(T closeable) {
        perTest.push(closeable);
        return closeable;
    }

    /** Every server's address, without any proxy: for clients no fault should touch. */
    public String directConnectString() {
        return running().connectString();
    }

    public Duration sessionTimeout() {
        return session;
    }

    public String clusterName() {
        return clusterName;
    }

    /** How many servers the kit runs. */
    public int serverCount() {
        return servers;
    }

    /** Stops server {@code index} (0-based; its data stays); false if it was already stopped. */
    public boolean killServer(int index) throws Exception {
        return running().kill(index);
    }

    /** Starts server {@code index} again, with its data, on its port; false if it was running. */
    public boolean restartServer(int index) throws Exception {
        return running().restart(index);
    }

    /** Stops the server {@code member} is connected to and returns its index. */
    public int killServerOf(TestMember member) throws Exception {
        int index = member.connectedServer().orElseThrow(() ->
                new IllegalStateException(member + " is connected to no server"));
        killServer(index);
        return index;
    }

    /**
     * Stops servers until fewer than a majority run (the only server, of one): no write, and no session, survives.
     * Sessions are not expired by the servers while there is no quorum; they expire after it returns, once their
     * timeout has passed since their client last reached a server.
     */
    public synchronized void loseQuorum() throws Exception {
        Ensemble e = running();
        int up = 0;
        for (int i = 0; i < e.size(); i++) {
            up += e.isRunning(i) ? 1 : 0;
        }
        for (int i = e.size() - 1; i >= 0 && up > e.size() / 2; i--) {
            if (e.kill(i)) {
                quorumLost.add(i);
                up--;
            }
        }
    }

    /** Starts again the servers {@link #loseQuorum()} stopped, and returns once every running server serves. */
    public synchronized void regainQuorum() throws Exception {
        for (int index : quorumLost) {
            running().restart(index);
        }
        quorumLost.clear();
        // Back means serving: a restarted server takes a moment to rejoin and sync, and a fault injected before
        // that (a server killed next) would find no quorum.
        if (!running().awaitServing(waitLimit())) {
            throw new IllegalStateException("the servers did not all serve again within " + waitLimit());
        }
    }

    Duration waitLimit() {
        return Duration.ofSeconds(30);
    }

    private synchronized Ensemble running() {
        if (ensemble == null) {
            throw new IllegalStateException("the kit is not started: register it with @RegisterExtension");
        }
        return ensemble;
    }

    /** The kit's configuration. {@link #build()} returns a kit that has not started anything yet. */
    public static final class Builder {
        private int servers = 1;
        private Duration session = Duration.ofMillis(4000);
        private Duration connection = Duration.ofMillis(3000);
        private String clusterName = "test";

        private Builder() {
        }

        /** 1 (a standalone server, the default), 3 or 5. */
        public Builder servers(int count) {
            if (count != 1 && count != 3 && count != 5) {
                throw new IllegalArgumentException("servers must be 1, 3 or 5, not " + count);
            }
            this.servers = count;
            return this;
        }

        /**
         * Every member's session timeout: 0.5 to 20 s. The servers tick every 250 ms up to 5 s sessions and every
         * second above (ZooKeeper grants sessions of 2 to 20 ticks).
         */
        public Builder sessionTimeout(Duration timeout) {
            if (timeout.toMillis() < 500 || timeout.toMillis() > 20_000) {
                throw new IllegalArgumentException("session timeout must be 0.5 to 20 s, not " + timeout);
            }
            this.session = timeout;
            this.connection = timeout.multipliedBy(3).dividedBy(4);
            return this;
        }

        public Builder clusterName(String name) {
            this.clusterName = name;
            return this;
        }

        public HaTestKit build() {
            return new HaTestKit(this);
        }
    }
}
