package io.ha.testkit.zk;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;

/**
 * Real ZooKeeper servers in this JVM for a test, all on 127.0.0.1 with short ticks: one {@link TestingServer} or a
 * {@link TestingCluster} of several (the test kit's servers, and ha-core's own ensemble tests).
 *
 * <p>Guarantee: a killed server keeps its data and its port, so a restart brings it back as it was; no two servers
 * share a port. Not guaranteed: how long an election takes after a kill (a few ticks on an idle machine).
 */
public final class Ensemble implements Closeable {
    private final TestingServer single;
    private final TestingCluster cluster;
    private final List<InstanceSpec> specs;
    private final boolean[] running;

    private Ensemble(TestingServer single, TestingCluster cluster, List<InstanceSpec> specs) {
        this.single = single;
        this.cluster = cluster;
        this.specs = specs;
        this.running = new boolean[specs.size()];
        java.util.Arrays.fill(running, true);
    }

    /** Starts {@code size} servers (1 is a standalone server) with ticks of {@code tickMs}. */
    public static Ensemble start(int size, int tickMs) throws Exception {
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        if (size == 1) {
            InstanceSpec spec = spec(-1, tickMs, ports);
            return new Ensemble(new TestingServer(spec, true), null, List.of(spec));
        }
        List<InstanceSpec> specs = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            specs.add(spec(id, tickMs, ports));
        }
        TestingCluster cluster = new TestingCluster(specs);
        cluster.start();
        return new Ensemble(null, cluster, List.copyOf(specs));
    }

    private static InstanceSpec spec(int serverId, int tickMs, java.util.Set<Integer> taken) throws IOException {
        File dir = Files.createTempDirectory("ha-testkit-zk").toFile();
        boolean quorum = serverId > 0;
        return new InstanceSpec(dir, freePort(taken), quorum ? freePort(taken) : -1,
                quorum ? freePort(taken) : -1, true, serverId, tickMs, -1,
                Map.of("clientPortAddress", "127.0.0.1", "admin.enableServer", "false"), "127.0.0.1");
    }

    /**
     * A port the system has just handed out and none of this ensemble's other servers uses: the system may hand the
     * same free port out twice in a row (seen on a busy machine), which would start two servers on one port.
     */
    private static int freePort(java.util.Set<Integer> taken) {
        int port;
        do {
            port = InstanceSpec.getRandomPort();
        } while (!taken.add(port));
        return port;
    }

    /** How many servers the ensemble has, running or not. */
    public int size() {
        return specs.size();
    }

    /** Every server's address, without any proxy. */
    public String connectString() {
        return specs.stream().map(s -> "127.0.0.1:" + s.getPort()).collect(Collectors.joining(","));
    }

    /** The client port of server {@code index} (0-based), also while it is stopped. */
    public int clientPort(int index) {
        return specs.get(index).getPort();
    }

    /** Whether server {@code index} runs (was not killed, or was restarted since). */
    public synchronized boolean isRunning(int index) {
        return running[index];
    }

    /** Stops server {@code index} (its data stays); false if it was not running. */
    public synchronized boolean kill(int index) throws Exception {
        if (!running[index]) {
            return false;
        }
        if (single != null) {
            single.stop();
        } else if (!cluster.killServer(specs.get(index))) {
            return false;
        }
        running[index] = false;
        return true;
    }

    /** Starts server {@code index} again on its port with its data; false if it was running. */
    public synchronized boolean restart(int index) throws Exception {
        if (running[index]) {
            return false;
        }
        if (single != null) {
            single.restart();
        } else if (!cluster.restartServer(specs.get(index))) {
            return false;
        }
        running[index] = true;
        return true;
    }

    /**
     * The index of the server {@code client} is connected to now, or -1 when it is connected to none. Of several
     * servers, only a direct connection is seen (a client behind a proxy is not); the only server of one counts any
     * connected client as its own.
     */
    public int serverOf(ZooKeeper client) throws Exception {
        if (single != null) {
            return client.getState().isConnected() ? 0 : -1;
        }
        InstanceSpec spec = cluster.findConnectionInstance(client);
        return spec == null ? -1 : specs.indexOf(spec);
    }

    /**
     * Waits until every running server serves clients (a client connected to it alone reads the root), as a server
     * that was restarted does only once it has rejoined a quorum and synced; true if they all did within
     * {@code timeout}. A server of an ensemble without a majority running never does.
     */
    public boolean awaitServing(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < specs.size(); i++) {
            while (isRunning(i) && !serves(i)) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(100);
            }
        }
        return true;
    }

    private boolean serves(int index) throws InterruptedException {
        java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
        try {
            ZooKeeper zk = new ZooKeeper("127.0.0.1:" + clientPort(index), 4000, e -> {
                if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                    connected.countDown();
                }
            });
            try {
                return connected.await(2, java.util.concurrent.TimeUnit.SECONDS) && zk.exists("/", false) != null;
            } finally {
                zk.close();
            }
        } catch (IOException | org.apache.zookeeper.KeeperException e) {
            return false;
        }
    }

    /** Stops every server and deletes their data. */
    @Override
    public void close() throws IOException {
        if (single != null) {
            single.close();
        } else {
            cluster.close();
        }
    }
}
