package io.ha.agent.bench;

import io.ha.core.cluster.EmbeddedZooKeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Section {@code ha}: the HA queue end to end on one embedded ZooKeeper server in this JVM, as {@code ha-bench
 * queue}'s HA row: {@code workers} members with {@code concurrency} handler threads each, one producer submitting
 * no-op tasks in chunks, timed from the first submit to the last SUCCEEDED outcome. Untimed rounds of the full size
 * run first until the JIT compiler has settled; then {@code rounds} timed rounds, the median counts. Figures:
 * {@code ha_tasks_per_s} and the CPU this process spent per task (server, clients and workers all run in it).
 */
final class HaPeerSection implements PeerSection {
    private static final double SETTLED_JIT_SHARE = 0.05;
    private static final int MAX_WARMUP_RUNS = 6;
    private static final int MAX_WARMUP_SECONDS = 120;

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
        int n = options.tasks();
        HaQueueBench bench = new HaQueueBench(new byte[16]);
        try (HaFleet fleet = HaFleet.start(cs, "bench-peers", options.workers())) {
            fleet.startWorkers(options.concurrency());
            fleet.awaitAccepting(Duration.ofSeconds(30));
            int warmup = options.quick() ? Math.max(100, n / 2) : n;
            int maxRuns = options.quick() ? 2 : MAX_WARMUP_RUNS;
            long warmStart = System.nanoTime();
            for (int run = 1; run <= maxRuns; run++) {
                Round r = round(bench, fleet, warmup);
                results.progress(String.format(Locale.ROOT, "ha: warm-up round %d: %.0f tasks/s, JIT compiling "
                        + "%.0f%% of the time", run, r.run().perSecond(), 100 * r.jitShare()));
                if (r.jitShare() < SETTLED_JIT_SHARE
                        || System.nanoTime() - warmStart > TimeUnit.SECONDS.toNanos(MAX_WARMUP_SECONDS)) {
                    break;
                }
            }
            List<Round> rounds = new ArrayList<>();
            for (int i = 1; i <= options.rounds(); i++) {
                Round r = round(bench, fleet, n);
                results.progress(String.format(Locale.ROOT, "ha: round %d of %d: %.0f tasks/s", i, options.rounds(),
                        r.run().perSecond()));
                rounds.add(r);
            }
            if (fleet.reassigned() > 0) {
                throw new BenchException("HA run: " + fleet.reassigned() + " task(s) were reassigned (an agent lost "
                        + "its session): the figures would not describe a healthy cluster");
            }
            Round median = rounds.stream().sorted(Comparator.comparingDouble(r -> r.run().perSecond())).toList()
                    .get(rounds.size() / 2);
            results.put("ha_tasks_per_s", median.run().perSecond(), String.format(Locale.ROOT,
                    "HA queue end to end, tasks/s (%d tasks, %d members x %d threads, median of %d)", n,
                    options.workers(), options.concurrency(), rounds.size()));
            results.put("ha_tasks_per_s_rounds", rounds.stream().map(r -> PeerResults.round(r.run().perSecond()))
                    .toList(), "HA, tasks/s of each timed round");
            results.put("ha_cpu_ms_per_task", median.cpu().processSeconds() * 1000 / n,
                    "HA, CPU ms per task of this JVM (ZooKeeper server, clients, workers)");
            results.put("ha_zk_fsync", options.fsync(), "HA, ZooKeeper server syncs its log on commit");
        }
    }

    private static Round round(HaQueueBench bench, HaFleet fleet, int n) throws Exception {
        HaQueueBench.awaitIdle(Duration.ofMillis(300), Duration.ofSeconds(60));
        CpuProfile cpu = CpuProfile.start();
        HaQueueBench.Run run = bench.endToEnd(fleet, n);
        return new Round(run, cpu.stop());
    }

    private record Round(HaQueueBench.Run run, CpuProfile.Usage cpu) {
        double jitShare() {
            return cpu.jitSeconds() / cpu.wallSeconds();
        }
    }
}
