package io.ha.agent.bench;

import io.ha.agent.zk.LocalEnsemble;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Section {@code ensemble}: HA as it is deployed, on a real three-server ZooKeeper ensemble ({@link LocalEnsemble}:
 * each server a JVM of its own, fsync on unless {@code --no-fsync}), with {@code workers} real agent processes
 * ({@link AgentProcesses}: {@code io.ha.agent.AgentMain} with a no-op plug-in, {@code concurrency} threads each) and
 * this JVM as the producer; against the rate of one client's synchronous creates on the same ensemble, the write
 * rate a queue that makes one ZooKeeper write per task at a time would have. The two are measured in interleaved
 * rounds ({@link EnsembleRounds}), so both see the same machine. Figures: {@code ensemble_ha_tasks_per_s},
 * {@code ensemble_zk_sync_creates_per_s} and where the CPU went (servers, agents, the leading agent, this JVM), the
 * servers' transactions and requests per task.
 */
final class EnsemblePeerSection implements PeerSection {
    static final String CLUSTER = "bench-ensemble";
    static final int SERVERS = 3;

    @Override
    public String name() {
        return "ensemble";
    }

    @Override
    public String description() {
        return "HA on a 3-server ensemble (separate processes), agents in separate JVMs, vs a client's sync creates";
    }

    @Override
    public void run(PeerOptions options, PeerResults results) throws Exception {
        String why = NoopPluginJar.unavailable();
        if (why != null) {
            results.skip(name(), why);
            return;
        }
        Path dir = Files.createTempDirectory("ha-bench-ensemble-");
        try (LocalEnsemble ensemble = LocalEnsemble.builder(dir.resolve("zk")).size(SERVERS)
                .jvmOptions(serverOptions(options)).start()) {
            ensemble.awaitQuorum(Duration.ofSeconds(90));
            results.progress(String.format(java.util.Locale.ROOT, "ensemble: %d servers serving (%s), fsync %s; "
                    + "starting %d agent processes x %d threads", SERVERS, ensemble.modes(),
                    options.fsync() ? "on" : "off", options.workers(), options.concurrency()));
            try (AgentProcesses agents = AgentProcesses.start(ensemble.connectString(), CLUSTER, options.workers(),
                    options.concurrency(), dir.resolve("agents"), HaFleet.SESSION_TIMEOUT, agentOptions(options));
                 HaCluster producer = HaCluster.builder().connectString(ensemble.connectString()).clusterName(CLUSTER)
                         .agentId("producer").role(ClusterRole.OBSERVER).sessionTimeout(HaFleet.SESSION_TIMEOUT)
                         .connectionTimeout(HaFleet.CONNECTION_TIMEOUT).build().start();
                 OutcomeCounter outcomes = OutcomeCounter.start(producer.curator(), producer.clusterPath());
                 ZkCreateBench zk = ZkCreateBench.connect(ensemble.connectString(),
                         (int) HaFleet.SESSION_TIMEOUT.toMillis())) {
                awaitAccepting(producer, options.workers());
                new EnsembleRounds(ensemble, agents, producer, outcomes, zk, options, results).run();
            }
            results.put("ensemble_servers", SERVERS, "ensemble, ZooKeeper servers (each a JVM of its own)");
            results.put("ensemble_zk_fsync", options.fsync(), "ensemble, the servers sync their logs on commit");
        } finally {
            delete(dir);
        }
    }

    /**
     * The servers' JVMs as production runs them: both JIT compilers (LocalEnsemble's defaults stop at C1, for quick
     * starts in tests) and room for the tree the runs build; with {@code --quick}, LocalEnsemble's defaults.
     */
    private static List<String> serverOptions(PeerOptions options) {
        List<String> o = new ArrayList<>(options.quick() ? List.of()
                : List.of("-Xmx512m", "-XX:TieredStopAtLevel=4"));
        if (!options.fsync()) {
            o.add("-Dzookeeper.forceSync=no");
        }
        return o;
    }

    /** With {@code --quick}, C1 only: a smoke run on a busy machine starts five JVMs and runs seconds. */
    private static List<String> agentOptions(PeerOptions options) {
        return options.quick() ? List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC") : List.of();
    }

    private static void awaitAccepting(HaCluster producer, int workers) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            List<AgentInfo> agents = producer.membership().list();
            if (agents.size() == workers && agents.stream().allMatch(AgentInfo::accepting)
                    && producer.leaderElection().currentLeader().isPresent()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new BenchException("ensemble: agents not all accepting tasks, or no leader, after 60 s: "
                        + agents);
            }
            Thread.sleep(20);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            // A temporary directory left behind costs disk space only; the figures stand.
        }
    }
}
