package io.ha.agent.bench;

import io.ha.core.cluster.EmbeddedZooKeeper;

/**
 * Starts the embedded ZooKeeper server a {@code ha-bench peers} section measures on, with its transaction log synced
 * on commit or not as {@link PeerOptions#fsync()} says, whatever the JVM's own {@code zookeeper.forceSync} is. Does
 * not isolate the server from the sections' clients: it runs in this JVM, and its CPU counts as this process's.
 */
final class BenchServer {
    private BenchServer() {
    }

    static synchronized EmbeddedZooKeeper start(PeerOptions options) throws Exception {
        String previous = System.getProperty("zookeeper.forceSync");
        // Read by the server when its transaction log starts: set for this server only, then put back.
        System.setProperty("zookeeper.forceSync", options.fsync() ? "yes" : "no");
        try {
            return EmbeddedZooKeeper.start();
        } finally {
            if (previous == null) {
                System.clearProperty("zookeeper.forceSync");
            } else {
                System.setProperty("zookeeper.forceSync", previous);
            }
        }
    }
}
