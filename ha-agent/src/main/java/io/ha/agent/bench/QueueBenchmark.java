package io.ha.agent.bench;

import io.ha.core.cluster.EmbeddedZooKeeper;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code ha-bench queue}: the HA task queue against its peers (Curator's DistributedQueue and
 * SimpleDistributedQueue) and against the limit (a plain ZooKeeper client's write rate), all on one embedded
 * ZooKeeper server in one run, plus the queue's sensitivity to its depth. Every section warms up before it measures.
 * See docs/PERFORMANCE.md for what each row means.
 */
public final class QueueBenchmark {
    private static final int PAYLOAD_BYTES = 16;
    /** The HA queue's untimed full-size rounds end once one compiles less than this share of its wall time... */
    private static final double SETTLED_JIT_SHARE = 0.05;
    /** ...or after this many rounds or seconds. */
    private static final int MAX_WARMUP_RUNS = 6;
    private static final int MAX_WARMUP_SECONDS = 120;

    private final QueueBenchOptions options;
    private final PrintStream out;
    private final QueueResults results = new QueueResults();
    private final byte[] payload = new byte[PAYLOAD_BYTES];
    private final long started = System.nanoTime();

    public QueueBenchmark(QueueBenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        Arrays.fill(payload, (byte) 'x');
        results.options = options;
        results.payloadBytes = PAYLOAD_BYTES;
    }

    /** Runs every section, prints the table (and writes the JSON when asked); throws on any failure. */
    public QueueResults run() throws Exception {
        if (!options.fsync()) {
            // Read by the server when its transaction log starts; must be set before the server is.
            System.setProperty("zookeeper.forceSync", "no");
        }
        QueueReport report = new QueueReport(results, out);
        report.printHeader();
        CpuProfile whole = CpuProfile.start();
        EmbeddedZooKeeper server = EmbeddedZooKeeper.start();
        try {
            String cs = server.connectString();
            warmUp(cs);
            rawZooKeeper(cs);
            haEndToEnd(cs, server.port());
            curatorQueues(cs);
            depth(cs);
        } finally {
            progress("stopping the ZooKeeper server");
            server.close();
        }
        results.wholeRun = whole.stop();
        report.printTable();
        if (options.json() != null) {
            report.writeJson(options.json());
            out.println("figures written to " + options.json());
        }
        return results;
    }

    private void progress(String what) {
        out.printf(Locale.ROOT, "  [%4.0f s] %s%n", (System.nanoTime() - started) / 1e9, what);
        out.flush();
    }

    /**
     * Runs every workload at a small size, round after round, until the JIT compiler has settled (compiling less
     * than a tenth of the time in the last round) or the time limit is reached. On a 2-core machine the compiler
     * needs some 30 s for the ZooKeeper server and client, Curator, Jackson and HA code paths; meanwhile throughput
     * is a half or less of what it becomes, and whichever section ran first would pay for it.
     */
    private void warmUp(String cs) throws Exception {
        int tasks = options.quick() ? 500 : 2_000;
        int items = options.quick() ? 100 : 200;
        long limitNanos = Duration.ofSeconds(options.quick() ? 15 : 60).toNanos();
        progress("warm-up, not measured: rounds of " + tasks + " HA tasks, " + items + " items per Curator queue "
                + "and a few thousand raw creates, until the JIT compiler has settled");
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitKnown = jit != null && jit.isCompilationTimeMonitoringSupported();
        byte[] record = new byte[256];
        CuratorQueueBench curator = new CuratorQueueBench(cs, (int) HaFleet.SESSION_TIMEOUT.toMillis());
        HaQueueBench bench = new HaQueueBench(payload);
        long start = System.nanoTime();
        try (HaFleet fleet = HaFleet.start(cs, "bench-warmup", options.workers());
             ZkCreateBench zk = ZkCreateBench.connect(cs, (int) HaFleet.SESSION_TIMEOUT.toMillis())) {
            fleet.startWorkers(options.concurrency());
            fleet.awaitAccepting(Duration.ofSeconds(30));
            for (int round = 1; ; round++) {
                long jit0 = jitKnown ? jit.getTotalCompilationTime() : 0;
                long t0 = System.nanoTime();
                zk.syncCreates("/bench/warm/sync-" + round, 500, record);
                zk.asyncCreates("/bench/warm/async-" + round, 2_000, record, 1_000);
                zk.multiCreates("/bench/warm/multi-" + round, 2_000, QueueBenchOptions.ZK_MULTI_BATCH, record);
                zk.syncReads("/bench/warm/sync-" + round + "/n0", 500);
                bench.endToEnd(fleet, tasks);
                curator.distributedQueue("/bench/warm/dq-" + round, items, options.workers(), payload,
                        Duration.ofSeconds(120));
                curator.simpleQueue("/bench/warm/sdq-" + round, items, options.workers(), payload,
                        Duration.ofSeconds(120));
                double wallMs = (System.nanoTime() - t0) / 1e6;
                double compiling = jitKnown ? (jit.getTotalCompilationTime() - jit0) / wallMs : 0;
                progress(String.format(Locale.ROOT, "warm-up round %d: %.1f s, JIT compiling %.0f%% of the time",
                        round, wallMs / 1000, 100 * compiling));
                if (compiling < 0.10 || System.nanoTime() - start > limitNanos) {
                    break;
                }
            }
        }
    }

    private void rawZooKeeper(String cs) throws Exception {
        progress("raw ZooKeeper client: " + options.zkCreates() + " synchronous creates, "
                + options.zkCreates() + " pipelined creates, " + options.zkMultiNodes() + " creates in multi() of "
                + QueueBenchOptions.ZK_MULTI_BATCH);
        byte[] record = new byte[256];
        Arrays.fill(record, (byte) 'r');
        try (ZkCreateBench zk = ZkCreateBench.connect(cs, (int) HaFleet.SESSION_TIMEOUT.toMillis())) {
            List<Double> sync = new ArrayList<>();
            for (int round = 1; round <= options.rounds(); round++) {
                sync.add(zk.syncCreates("/bench/zk/sync" + (round == 1 ? "" : "-" + round), options.zkCreates(),
                        record));
            }
            results.zkSyncCreateRounds = sync;
            results.zkSyncCreates = median(sync);
            results.zkAsyncCreates = zk.asyncCreates("/bench/zk/async", options.zkCreates(), record, 1_000);
            results.zkMultiCreates = zk.multiCreates("/bench/zk/multi", options.zkMultiNodes(),
                    QueueBenchOptions.ZK_MULTI_BATCH, record);
            results.zkSyncReads = zk.syncReads("/bench/zk/sync/n0", options.zkCreates());
        }
    }

    private void haEndToEnd(String cs, int port) throws Exception {
        int n = options.tasks();
        // Untimed rounds of the same size first, each exactly like a timed one (the same members, the same stack
        // sampler, the same read of every record afterwards), until one spends less than 5% of its wall time
        // compiling: at this size the JIT compiler still recompiles (the leader's index, the server's data tree,
        // Jackson) what the small warm-up rounds compiled, and a round measured after a single warm-up run still lost
        // a fifth of its CPU to compiling.
        int warmup = options.quick() ? Math.max(300, n / 5) : n;
        progress("HA queue: " + options.workers() + " members with workers (concurrency " + options.concurrency()
                + "), 1 producer; untimed rounds of " + warmup + " tasks until the JIT compiler has settled, then "
                + options.rounds() + " timed rounds of " + n);
        HaQueueBench bench = new HaQueueBench(payload);
        try (HaFleet fleet = HaFleet.start(cs, "bench-e2e", options.workers())) {
            fleet.startWorkers(options.concurrency());
            fleet.awaitAccepting(Duration.ofSeconds(30));
            long warmStart = System.nanoTime();
            for (int run = 1; run <= MAX_WARMUP_RUNS; run++) {
                HaRound r = round(bench, fleet, warmup, port);
                double compiling = r.cpu().jitSeconds() / r.cpu().wallSeconds();
                progress(String.format(Locale.ROOT, "HA queue: warm-up round %d: %.0f tasks/s, JIT compiling %.0f%% "
                        + "of the time", run, r.run().perSecond(), 100 * compiling));
                if (compiling < SETTLED_JIT_SHARE
                        || System.nanoTime() - warmStart > TimeUnit.SECONDS.toNanos(MAX_WARMUP_SECONDS)) {
                    break;
                }
            }
            List<HaRound> rounds = new ArrayList<>();
            for (int round = 1; round <= options.rounds(); round++) {
                HaRound r = round(bench, fleet, n, port);
                progress(String.format(Locale.ROOT, "HA queue: round %d of %d: %.0f tasks/s, JIT compiling %.0f%% of "
                        + "the time", round, options.rounds(), r.run().perSecond(),
                        100 * r.cpu().jitSeconds() / r.cpu().wallSeconds()));
                rounds.add(r);
            }
            results.haRoundRates = rounds.stream().map(r -> r.run().perSecond()).toList();
            results.haRoundJitShares = rounds.stream().map(r -> r.cpu().jitSeconds() / r.cpu().wallSeconds()).toList();
            HaRound median = rounds.stream().sorted(Comparator.comparingDouble(r -> r.run().perSecond()))
                    .toList().get(rounds.size() / 2);
            results.ha = median.run();
            results.haCpu = median.cpu();
            results.haServerCost = median.cost();
            results.haSamples = median.samples();
            results.haCapacity = fleet.capacity();
            if (fleet.reassigned() > 0) {
                throw new BenchException("HA run: " + fleet.reassigned() + " task(s) were reassigned (an agent "
                        + "lost its session): the figures would not describe a healthy cluster");
            }
            double rate = Math.max(10, results.ha.perSecond() / 2);
            int paced = (int) Math.min(5_000, Math.max(200, rate * 8));
            progress(String.format(Locale.ROOT, "HA queue: %d tasks paced at %.0f tasks/s (half the measured rate) "
                    + "for latency without a backlog", paced, rate));
            results.haPaced = bench.paced(fleet, paced, rate);
            int members = options.quick() ? 2_000 : 10_000;
            progress("HA group: " + members + " members and a join, from the submit to the join's end");
            HaQueueBench.awaitIdle(Duration.ofMillis(300), Duration.ofSeconds(60));
            results.haGroup = HaGroupBench.run(fleet, members, payload);
            progress(String.format(Locale.ROOT, "HA group: %.1f s, %.0f tasks/s", results.haGroup.seconds(),
                    results.haGroup.perSecond()));
        }
    }

    private void curatorQueues(String cs) throws Exception {
        int items = options.baselineItems();
        int warmup = Math.min(300, Math.max(100, items / 10));
        Duration timeout = Duration.ofSeconds(Math.max(180, items / 10));
        CuratorQueueBench curator = new CuratorQueueBench(cs, (int) HaFleet.SESSION_TIMEOUT.toMillis());
        progress("Curator DistributedQueue: 1 producer, " + options.workers() + " consumers; warm-up with " + warmup
                + " items, then " + items + " timed");
        curator.distributedQueue("/bench/curator/dq-warm", warmup, options.workers(), payload, timeout);
        List<Double> dq = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            dq.add(curator.distributedQueue("/bench/curator/dq-" + round, items, options.workers(), payload,
                    timeout));
        }
        results.curatorDistributedQueueRounds = dq;
        results.curatorDistributedQueue = median(dq);
        progress("Curator SimpleDistributedQueue: 1 producer, " + options.workers() + " consumers; warm-up with "
                + warmup + " items, then " + items + " timed");
        curator.simpleQueue("/bench/curator/sdq-warm", warmup, options.workers(), payload, timeout);
        List<Double> sdq = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            sdq.add(curator.simpleQueue("/bench/curator/sdq-" + round, items, options.workers(), payload, timeout));
        }
        results.curatorSimpleQueueRounds = sdq;
        results.curatorSimpleQueue = median(sdq);
    }

    /** Rounds at the two depths alternate, so that a busy spell on the machine falls on both alike. */
    private void depth(String cs) throws Exception {
        HaQueueBench bench = new HaQueueBench(payload);
        HaQueueBench.Depth small = new HaQueueBench.Depth(options.depthSmall(), options.depthBatch(), List.of(),
                List.of(), 0);
        HaQueueBench.Depth large = new HaQueueBench.Depth(options.depthLarge(), options.depthBatch(), List.of(),
                List.of(), 0);
        progress("HA depth: " + options.depthRounds() + " rounds at each depth, alternating: " + options.depthSmall()
                + " or " + options.depthLarge() + " tasks queued with no worker running, then the first "
                + options.depthBatch() + " timed (queueing the first " + options.depthLarge() + " is not timed)");
        for (int round = 1; round <= options.depthRounds(); round++) {
            small = bench.depthRound(cs, "bench-depth-small", options.workers(), options.concurrency(), small);
            large = bench.depthRound(cs, "bench-depth-large", options.workers(), options.concurrency(), large);
        }
        results.depthSmall = small;
        results.depthLarge = large;
    }

    /** One round of {@code n} tasks end to end, with its CPU profile, server cost, stack samples and latencies. */
    private HaRound round(HaQueueBench bench, HaFleet fleet, int n, int port) throws Exception {
        HaQueueBench.awaitIdle(Duration.ofMillis(300), Duration.ofSeconds(60));
        ServerStats before = ServerStats.read("127.0.0.1", port);
        CpuProfile cpu = CpuProfile.start();
        HaQueueBench.Run run;
        Map<String, Map<String, Double>> samples;
        try (StackSampler sampler = StackSampler.start(List.of(
                new StackSampler.Group("worker pickup threads (ha-worker-*)", "ha-worker-"),
                new StackSampler.Group("worker claim threads (ha-claim-*)", "ha-claim-"),
                new StackSampler.Group("dispatcher thread (leader)", "ha-leader-task-dispatcher")), 50)) {
            run = bench.endToEnd(fleet, n);
            samples = sampler.shares();
        }
        CpuProfile.Usage usage = cpu.stop();
        ServerStats cost = ServerStats.read("127.0.0.1", port).since(before);
        return new HaRound(run.withLatencies(bench.latenciesOfLastRun(fleet)), usage, cost, samples);
    }

    /** One timed round of the HA queue with what was measured around it. */
    private record HaRound(HaQueueBench.Run run, CpuProfile.Usage cpu, ServerStats cost,
                           Map<String, Map<String, Double>> samples) {
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
