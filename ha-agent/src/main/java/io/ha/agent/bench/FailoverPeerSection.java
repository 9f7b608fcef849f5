package io.ha.agent.bench;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Section {@code failover}: real agents in JVMs of their own ({@link BenchAgent}) on a ZooKeeper server in this JVM
 * (ticks of {@value #TICK_MS} ms, so that a {@value #SESSION_MS} ms session is granted as asked), with a session of
 * {@value #SESSION_MS} ms, {@value #TRIALS} trials of each kind ({@value #QUICK_TRIALS} with {@code --quick}; {@code
 * -Dha.bench.failover.trials=N} sets another number):
 * <ul>
 *   <li>kill -9 of the leader to the first task assigned by its successor;</li>
 *   <li>kill -9 of an agent that is not the leader to all of its running tasks running on other agents;</li>
 *   <li>SIGTERM of the leader (a graceful stop) to the first task assigned by its successor.</li>
 * </ul>
 * The kill or stop is timed with this JVM's clock; the assignment or run with the time the leader or the agent put
 * in the task's record in ZooKeeper (the same machine's clock). p50 and max of each, beside the session timeout, with
 * target flags (kill -9 max at most the session + 500 ms; graceful max under 500 ms), and the medians of the steps in
 * between, read from the successor's log (elected, dispatcher started). Guarantees nothing about agents on separate
 * machines: there, clocks differ by their skew.
 */
final class FailoverPeerSection implements PeerSection {
    static final int SESSION_MS = 3000;
    static final int TICK_MS = 500;
    private static final int TRIALS = 20;
    private static final int QUICK_TRIALS = 1;

    @Override
    public String name() {
        return "failover";
    }

    @Override
    public String description() {
        return "agent processes: leader kill -9 and SIGTERM to the successor's first assignment, agent kill -9 to "
                + "its tasks running elsewhere";
    }

    @Override
    public void run(PeerOptions options, PeerResults results) throws Exception {
        int trials = Integer.getInteger("ha.bench.failover.trials", options.quick() ? QUICK_TRIALS : TRIALS);
        Path dir = Files.createTempDirectory("ha-bench-failover-");
        try (BenchServer server = BenchServer.start(options, TICK_MS);
             FailoverTrials t = new FailoverTrials(server.connectString(), dir, Duration.ofMillis(SESSION_MS),
                     options.quick() ? 2 : 3, results)) {
            t.startAgents(options.quick() ? 4 : 3);
            List<FailoverTrials.Trial> leaderKills = new ArrayList<>();
            List<FailoverTrials.Trial> agentKills = new ArrayList<>();
            List<FailoverTrials.Trial> graceful = new ArrayList<>();
            for (int i = 1; i <= trials; i++) {
                leaderKills.add(t.leaderKill(i));
                agentKills.add(t.agentKill(i));
                graceful.add(t.gracefulLeaderStop(i));
            }
            results.put("session_timeout_ms", (double) t.grantedSessionMs(), "failover, session timeout granted by the "
                    + "server (asked " + SESSION_MS + " ms, ticks of " + TICK_MS + " ms)");
            put(results, "leader_failover_kill9", "leader kill -9 to the successor's first assignment", leaderKills,
                    true);
            put(results, "agent_kill9_reassign", "agent kill -9 to all its running tasks running elsewhere",
                    agentKills, false);
            put(results, "leader_failover_graceful", "leader SIGTERM to the successor's first assignment", graceful,
                    true);
            double killMax = max(leaderKills);
            double gracefulMax = max(graceful);
            results.put("target_leader_failover_kill9_met", killMax <= t.grantedSessionMs() + 500,
                    "target: leader kill -9 max <= session + 500 ms");
            results.put("target_leader_failover_graceful_met", gracefulMax < 500,
                    "target: leader graceful stop max < 500 ms");
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void put(PeerResults results, String prefix, String what, List<FailoverTrials.Trial> trials,
                            boolean steps) {
        String n = " (" + trials.size() + " trials)";
        results.put(prefix + "_p50_ms", PeerResults.median(trials.stream().map(FailoverTrials.Trial::ms).toList()),
                what + ", p50 ms" + n);
        results.put(prefix + "_max_ms", max(trials), what + ", max ms" + n);
        results.put(prefix + "_trials_ms", trials.stream().map(FailoverTrials.Trial::ms).toList(),
                what + ", ms of each trial");
        stepMedian(results, prefix + "_left_p50_ms", what + ": kill/stop to the first LEFT line for the agent in "
                + "another agent's log, p50 ms", trials.stream().map(FailoverTrials.Trial::leftMs).toList());
        if (steps) {
            stepMedian(results, prefix + "_elected_p50_ms", what + ": kill/stop to the successor's ELECTED line, p50 "
                    + "ms", trials.stream().map(FailoverTrials.Trial::electedMs).toList());
            stepMedian(results, prefix + "_dispatcher_p50_ms", what + ": kill/stop to 'dispatcher started', p50 ms",
                    trials.stream().map(FailoverTrials.Trial::dispatcherMs).toList());
        }
    }

    private static void stepMedian(PeerResults results, String key, String label, List<Double> values) {
        List<Double> known = values.stream().filter(v -> v >= 0).toList();
        if (!known.isEmpty()) {
            results.put(key, PeerResults.median(known), label);
        }
    }

    private static double max(List<FailoverTrials.Trial> trials) {
        return trials.stream().map(FailoverTrials.Trial::ms).max(Comparator.naturalOrder()).orElse(Double.NaN);
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // A temporary directory left behind costs nothing but space.
        }
    }

    /** An observer of the bench cluster (submits probes, reads records and the leader), with a longer session. */
    static HaCluster observer(String connect, String cluster) throws Exception {
        return HaCluster.builder().connectString(connect).clusterName(cluster).agentId("bench-observer")
                .role(ClusterRole.OBSERVER).sessionTimeout(Duration.ofSeconds(10))
                .connectionTimeout(Duration.ofSeconds(5)).build().start();
    }

    static String format(double ms) {
        return String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
