package io.ha.agent.bench;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.agent.zk.LocalEnsemble;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The rounds of the {@code ensemble} section: warm-up rounds, then {@code rounds} timed pairs, each an HA round
 * ({@code tasks} no-op tasks submitted in chunks of {@value HaQueueBench#SUBMIT_CHUNK} by this JVM, timed from the
 * first submit to the last SUCCEEDED record, counted by {@link OutcomeCounter}) followed by a round of one client's
 * synchronous creates; the median of each counts. Around every round it takes the CPU time of the servers, the agents
 * (the leading one apart) and this JVM, and the servers' counters ({@link ServerStats}).
 *
 * <p>Guarantee: a round counts only when every task SUCCEEDED and none was reassigned (checked on the agents'
 * {@code /metrics} after it): figures from a cluster that lost an agent would mislead. Not guaranteed: that other
 * processes leave the machine alone (the figures carry the busy cores of the machine during the median round).
 */
final class EnsembleRounds {
    /** Sync creates per round at most: the rate settles within a few hundred, and each costs a log sync. */
    private static final int MAX_SYNC_CREATES = 2_000;
    /**
     * Warm-up rounds at most: seven JVMs compile. A round in which the servers' and agents' JIT compiler threads used
     * less than {@value #SETTLED_JIT_SHARE} of their CPU ends the warm-up (as {@link PeerRounds} does for this JVM).
     */
    private static final int MAX_WARMUP_ROUNDS = 8;
    private static final double SETTLED_JIT_SHARE = 0.10;

    private final LocalEnsemble ensemble;
    private final AgentProcesses agents;
    private final HaCluster producer;
    private final OutcomeCounter outcomes;
    private final ZkCreateBench zk;
    private final PeerOptions options;
    private final PeerResults results;
    private final long[] serverPids;
    private long succeededSoFar;

    /** What one HA round cost, per task. */
    private record HaRound(double perSecond, double serverCpuMs, double agentsCpuMs, double leaderCpuMs,
                           double benchCpuMs, double txns, double requests, double busyCores,
                           Map<String, Double> profile) {
        /** The share of the servers' and agents' CPU their JIT compiler threads used. */
        double jitShare() {
            double all = profile.values().stream().mapToDouble(Double::doubleValue).sum();
            double jit = profile.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                    .mapToDouble(Map.Entry::getValue).sum();
            return all > 0 ? jit / all : 0;
        }
    }

    EnsembleRounds(LocalEnsemble ensemble, AgentProcesses agents, HaCluster producer, OutcomeCounter outcomes,
                   ZkCreateBench zk, PeerOptions options, PeerResults results) {
        this.ensemble = ensemble;
        this.agents = agents;
        this.producer = producer;
        this.outcomes = outcomes;
        this.zk = zk;
        this.options = options;
        this.results = results;
        this.serverPids = new long[ensemble.size()];
        for (int id = 1; id <= ensemble.size(); id++) {
            serverPids[id - 1] = ensemble.pid(id).orElseThrow(() -> new IllegalStateException("a server is down"));
        }
    }

    void run() throws Exception {
        int n = options.tasks();
        int syncN = options.quick() ? n : Math.min(n, MAX_SYNC_CREATES);
        int round = 0;
        int warmups = options.quick() ? 1 : MAX_WARMUP_ROUNDS;
        for (int i = 1; i <= warmups; i++) {
            HaRound r = haRound(++round, n);
            results.progress(String.format(Locale.ROOT, "ensemble: warm-up round %d: HA %.0f tasks/s, JIT compiling "
                    + "%.0f%% of the servers' and agents' CPU", i, r.perSecond(), 100 * r.jitShare()));
            if (r.jitShare() < SETTLED_JIT_SHARE) {
                break;
            }
        }
        zk.syncCreates("/bench-sync/warmup", Math.min(syncN, 200), new byte[16]);
        List<HaRound> ha = new ArrayList<>();
        List<Double> sync = new ArrayList<>();
        List<Double> syncServerCpu = new ArrayList<>();
        for (int i = 1; i <= options.rounds(); i++) {
            HaRound r = haRound(++round, n);
            ha.add(r);
            HaQueueBench.awaitIdle(Duration.ofMillis(300), Duration.ofSeconds(60));
            long cpu0 = ProcCpu.nanos(serverPids);
            double rate = zk.syncCreates("/bench-sync/r" + round, syncN, new byte[16]);
            long cpu1 = ProcCpu.nanos(serverPids);
            sync.add(rate);
            syncServerCpu.add(cpu0 < 0 || cpu1 < 0 ? -1 : (cpu1 - cpu0) / 1e6 / syncN);
            results.progress(String.format(Locale.ROOT, "ensemble: round %d of %d: HA %.0f tasks/s (CPU ms/task: "
                    + "servers %.2f, agents %.2f of which leader %.2f, producer JVM %.2f; %.2f ZooKeeper "
                    + "transactions and %.1f requests per task; machine %.2f cores busy; JIT %.0f%%); sync creates "
                    + "%.0f/s", i, options.rounds(), r.perSecond(), r.serverCpuMs(), r.agentsCpuMs(), r.leaderCpuMs(),
                    r.benchCpuMs(), r.txns(), r.requests(), r.busyCores(), 100 * r.jitShare(), rate));
        }
        HaRound median = ha.stream().sorted(Comparator.comparingDouble(HaRound::perSecond)).toList()
                .get(ha.size() / 2);
        results.progress("ensemble: where the CPU went in the median HA round, ms per task by process group and "
                + "thread: " + ProcessProfile.format(median.profile(), 14));
        String shape = String.format(Locale.ROOT, "%d tasks, %d agent JVMs x %d threads, %d servers, median of %d",
                n, options.workers(), options.concurrency(), ensemble.size(), ha.size());
        results.put("ensemble_ha_tasks_per_s", median.perSecond(), "ensemble, HA end to end, tasks/s (" + shape + ")");
        results.put("ensemble_ha_tasks_per_s_rounds", ha.stream().map(r -> PeerResults.round(r.perSecond()))
                .toList(), "ensemble, HA, every timed round");
        results.put("ensemble_zk_sync_creates_per_s", PeerResults.median(sync), String.format(Locale.ROOT,
                "ensemble, one client's synchronous creates/s (%d per round, interleaved, median of %d)", syncN,
                sync.size()));
        results.put("ensemble_zk_sync_creates_per_s_rounds", sync.stream().map(PeerResults::round).toList(),
                "ensemble, sync creates, every timed round");
        results.put("ensemble_ha_servers_cpu_ms_per_task", median.serverCpuMs(),
                "ensemble, HA, CPU ms per task in the 3 ZooKeeper servers (median round)");
        results.put("ensemble_ha_agents_cpu_ms_per_task", median.agentsCpuMs(),
                "ensemble, HA, CPU ms per task in all agent JVMs (median round)");
        results.put("ensemble_ha_leader_cpu_ms_per_task", median.leaderCpuMs(),
                "ensemble, HA, of which the leading agent (dispatcher and its own tasks)");
        results.put("ensemble_ha_producer_cpu_ms_per_task", median.benchCpuMs(),
                "ensemble, HA, CPU ms per task in the producer (this JVM)");
        results.put("ensemble_ha_zk_txns_per_task", median.txns(),
                "ensemble, HA, ZooKeeper write transactions per task (zxids; a multi() counts once)");
        results.put("ensemble_ha_zk_requests_per_task", median.requests(),
                "ensemble, HA, requests the servers received per task (all clients, pings included)");
        results.put("ensemble_ha_machine_busy_cores", median.busyCores(),
                "ensemble, HA, cores busy machine-wide during the median round (of " + Runtime.getRuntime()
                        .availableProcessors() + ")");
        results.put("ensemble_ha_jit_share", median.jitShare(),
                "ensemble, HA, share of the servers' and agents' CPU in their JIT compilers (median round)");
        results.put("ensemble_zk_sync_servers_cpu_ms_per_create", PeerResults.median(syncServerCpu),
                "ensemble, sync creates, CPU ms per create in the 3 servers");
    }

    private HaRound haRound(int round, int n) throws Exception {
        HaQueueBench.awaitIdle(Duration.ofMillis(300), Duration.ofSeconds(60));
        String leader = producer.leaderElection().currentLeader().orElse("");
        long leaderPid = agents.pid(leader);
        long server0 = ProcCpu.nanos(serverPids);
        long agents0 = ProcCpu.nanos(agents.pids());
        long leader0 = leaderPid < 0 ? -1 : ProcCpu.nanos(leaderPid);
        long[] stats0 = stats();
        ProcessProfile threads = ProcessProfile.start(Map.of("servers", serverPids, "agents", agents.pids()));
        CpuProfile cpu = CpuProfile.start();
        double seconds = submitAndAwait(n);
        CpuProfile.Usage usage = cpu.stop();
        Map<String, Double> profile = threads.stop(n);
        long[] stats1 = stats();
        long server1 = ProcCpu.nanos(serverPids);
        long agents1 = ProcCpu.nanos(agents.pids());
        long leader1 = leaderPid < 0 ? -1 : ProcCpu.nanos(leaderPid);
        check(round, n);
        return new HaRound(n / seconds, perTask(server0, server1, n), perTask(agents0, agents1, n),
                perTask(leader0, leader1, n), usage.processSeconds() * 1000 / n, (double) (stats1[0] - stats0[0]) / n,
                (double) (stats1[1] - stats0[1]) / n, usage.machineBusyCores(), profile);
    }

    private static double perTask(long before, long after, int n) {
        return before < 0 || after < 0 ? -1 : (after - before) / 1e6 / n;
    }

    private double submitAndAwait(int n) throws Exception {
        List<TaskSpec> specs = Collections.nCopies(n, TaskSpec.builder(HaFleet.TASK_TYPE).payload(new byte[16])
                .build());
        long base = outcomes.succeeded();
        long otherBase = outcomes.other();
        ExecutorService pool = Executors.newSingleThreadExecutor(
                new ThreadFactoryBuilder().setNameFormat("bench-producer").setDaemon(true).build());
        try {
            long t0 = System.nanoTime();
            Future<?> submitting = pool.submit(() -> {
                for (int from = 0; from < n; from += HaQueueBench.SUBMIT_CHUNK) {
                    producer.taskQueue().submitAll(specs.subList(from, Math.min(n, from + HaQueueBench.SUBMIT_CHUNK)));
                }
                return null;
            });
            long deadline = t0 + Duration.ofSeconds(Math.max(120, n / 20)).toNanos();
            while (outcomes.succeeded() - base < n) {
                if (submitting.isDone()) {
                    submitting.get(); // surfaces a submit failure
                }
                if (outcomes.other() > otherBase) {
                    throw new BenchException("ensemble: " + (outcomes.other() - otherBase) + " task(s) ended other "
                            + "than SUCCEEDED");
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchException("ensemble: only " + (outcomes.succeeded() - base) + " of " + n
                            + " tasks SUCCEEDED within " + TimeUnit.NANOSECONDS.toSeconds(deadline - t0) + " s");
                }
                Thread.sleep(1);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            submitting.get();
            return seconds;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The agents' own counters must agree with the records: every task once, SUCCEEDED, none reassigned. */
    private void check(int round, int n) throws Exception {
        succeededSoFar += n;
        // An agent counts its outcome once its commit returns, a moment after the record exists.
        long[] o = agents.outcomes();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (o[0] < succeededSoFar && System.nanoTime() < deadline) {
            Thread.sleep(20);
            o = agents.outcomes();
        }
        if (o[1] > 0 || o[2] > 0) {
            throw new BenchException("ensemble round " + round + ": the agents report " + o[1] + " task(s) ended "
                    + "other than SUCCEEDED and " + o[2] + " reassigned: the figures would not describe a healthy "
                    + "cluster");
        }
        if (o[0] < succeededSoFar) {
            throw new BenchException("ensemble round " + round + ": the agents report " + o[0] + " SUCCEEDED, "
                    + "expected " + succeededSoFar);
        }
    }

    /** The last zxid (the highest any server has) and the requests received, summed over the servers. */
    private long[] stats() throws IOException {
        long zxid = 0;
        long received = 0;
        for (int id = 1; id <= ensemble.size(); id++) {
            ServerStats s = ServerStats.read("127.0.0.1", ensemble.layout().server(id).clientPort());
            zxid = Math.max(zxid, s.zxid());
            received += s.received();
        }
        return new long[] {zxid, received};
    }
}
