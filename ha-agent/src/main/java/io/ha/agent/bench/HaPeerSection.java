package io.ha.agent.bench;

import io.ha.core.cluster.EmbeddedZooKeeper;
import java.time.Duration;

/**
 * Section {@code ha}: the HA queue end to end on one embedded ZooKeeper server in this JVM, as {@code ha-bench
 * queue}'s HA row: {@code workers} members with {@code concurrency} handler threads each, one producer submitting
 * no-op tasks (16-byte payloads) in chunks of {@value HaQueueBench#SUBMIT_CHUNK}, timed from the first submit to the
 * last SUCCEEDED outcome, in {@link PeerRounds}. Figures: {@code ha_tasks_per_s} and the CPU this process spent per
 * task (the server, the clients and the workers all run in it).
 */
final class HaPeerSection implements PeerSection {
    @Override
    public String name() {
        return "ha";
    }

    @Override
    public String description() {
        return "the HA queue end to end on an embedded ZooKeeper server (no-op tasks)";
    }

    @Override
    public void run(PeerOptions options, PeerResults results) throws Exception {
        String previous = System.getProperty("zookeeper.forceSync");
        // Read by the server when its transaction log starts: set for this server only, then put back.
        System.setProperty("zookeeper.forceSync", options.fsync() ? "yes" : "no");
        EmbeddedZooKeeper server;
        try {
            server = EmbeddedZooKeeper.start();
        } finally {
            if (previous == null) {
                System.clearProperty("zookeeper.forceSync");
            } else {
                System.setProperty("zookeeper.forceSync", previous);
            }
        }
        try (server) {
            measure(server.connectString(), options, results);
        }
    }

    private static void measure(String cs, PeerOptions options, PeerResults results) throws Exception {
        HaQueueBench bench = new HaQueueBench(new byte[16]);
        try (HaFleet fleet = HaFleet.start(cs, "bench-peers", options.workers())) {
            fleet.startWorkers(options.concurrency());
            fleet.awaitAccepting(Duration.ofSeconds(30));
            PeerRounds.measure("ha_tasks", "HA queue end to end", options, results,
                    (round, n) -> bench.endToEnd(fleet, n).seconds(), null);
            if (fleet.reassigned() > 0) {
                throw new BenchException("HA run: " + fleet.reassigned() + " task(s) were reassigned (an agent lost "
                        + "its session): the figures would not describe a healthy cluster");
            }
            results.put("ha_zk_fsync", options.fsync(), "HA, the ZooKeeper server syncs its log on commit");
        }
    }
}
