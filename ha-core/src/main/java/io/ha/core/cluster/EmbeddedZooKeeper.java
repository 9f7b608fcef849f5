package io.ha.core.cluster;

import com.google.common.base.Preconditions;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single ZooKeeper server inside this JVM, bound to 127.0.0.1, for one-machine use, demos and tests.
 *
 * <p>Guarantee: a real ZooKeeper server (the same code as a production server), reachable at
 * {@link #connectString()} until {@link #close()}. Not highly available: it dies with this process, and its data
 * lives in a temporary directory that is deleted on close unless a data directory was given. Production uses a real
 * ensemble of 3 or 5 servers.
 */
public final class EmbeddedZooKeeper implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    private final TestingServer server;
    private final int port;

    private EmbeddedZooKeeper(TestingServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts a server on a free port with a temporary data directory. */
    public static EmbeddedZooKeeper start() throws IOException {
        return start(0, null, 0);
    }

    /**
     * @param port     the client port, 0 for a free one
     * @param dataDir  where to keep data (kept on close), or null for a temporary directory (deleted on close)
     * @param tickTime ZooKeeper's tick in ms (sessions may last 2 to 20 ticks), 0 for the default of 2000 ms
     */
    public static EmbeddedZooKeeper start(int port, File dataDir, int tickTime) throws IOException {
        Preconditions.checkArgument(port >= 0 && port <= 65535, "port must be in 0-65535: %s", port);
        Preconditions.checkArgument(tickTime >= 0, "tickTime must not be negative: %s", tickTime);
        boolean temporary = dataDir == null;
        File dir = temporary ? Files.createTempDirectory("ha-zk-").toFile() : dataDir;
        int actualPort = port == 0 ? InstanceSpec.getRandomPort() : port;
        InstanceSpec spec = new InstanceSpec(dir, actualPort, -1, -1, temporary, -1,
                tickTime == 0 ? 2000 : tickTime, -1,
                Map.of("clientPortAddress", "127.0.0.1", "admin.enableServer", "false"), "127.0.0.1");
        try {
            TestingServer server = new TestingServer(spec, true);
            LOG.warn("EMBEDDED ZooKeeper started at 127.0.0.1:{} (data in {}). It lives and dies with this process: "
                    + "for one machine and demos only, NOT for production. Give a connect string to use a real "
                    + "ensemble.", actualPort, dir);
            return new EmbeddedZooKeeper(server, actualPort);
        } catch (Exception e) {
            throw new IOException("cannot start embedded ZooKeeper on 127.0.0.1:" + actualPort + ": " + e.getMessage(), e);
        }
    }

    public String connectString() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the server without deleting its data; {@link #restart()} brings it back on the same port. */
    public void stop() throws IOException {
        server.stop();
    }

    public void restart() throws Exception {
        server.restart();
    }

    @Override
    public void close() throws IOException {
        server.close();
        LOG.info("embedded ZooKeeper at 127.0.0.1:{} stopped", port);
    }
}
