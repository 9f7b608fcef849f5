package io.ha.agent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A ZooKeeper server in this JVM for a {@code ha-bench peers} section, on a free loopback port with a temporary data
 * directory (deleted on close), its transaction log synced on commit or not as {@link PeerOptions#fsync()} says,
 * whatever the JVM's own {@code zookeeper.forceSync} is, and with no cap on connections from one address (ZooKeeper's
 * default of 60 would refuse the 129 sessions of the largest {@code scale} size, all from 127.0.0.1). Otherwise as
 * HA's embedded server. Does not isolate the server from the sections' clients: its CPU counts as this process's.
 */
final class BenchServer implements AutoCloseable {
    private final TestingServer server;
    private final int port;

    private BenchServer(TestingServer server, int port) {
        this.server = server;
        this.port = port;
    }

    static BenchServer start(PeerOptions options) throws Exception {
        return start(options, 2000);
    }

    /** As {@link #start(PeerOptions)} with ticks of {@code tickMs} (sessions may last 2 to 20 ticks). */
    static synchronized BenchServer start(PeerOptions options, int tickMs) throws Exception {
        String previous = System.getProperty("zookeeper.forceSync");
        // Read by the server when its transaction log starts: set for this server only, then put back.
        System.setProperty("zookeeper.forceSync", options.fsync() ? "yes" : "no");
        try {
            int port = InstanceSpec.getRandomPort();
            InstanceSpec spec = new InstanceSpec(Files.createTempDirectory("ha-bench-zk-").toFile(), port, -1, -1,
                    true, -1, tickMs, 0, Map.of("clientPortAddress", "127.0.0.1", "admin.enableServer", "false"),
                    "127.0.0.1");
            return new BenchServer(new TestingServer(spec, true), port);
        } finally {
            if (previous == null) {
                System.clearProperty("zookeeper.forceSync");
            } else {
                System.setProperty("zookeeper.forceSync", previous);
            }
        }
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
