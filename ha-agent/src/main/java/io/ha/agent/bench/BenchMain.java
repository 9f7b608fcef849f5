package io.ha.agent.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Arrays;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Entry point of {@code bin/ha-bench}: {@code ha-bench queue|limits|peers [options]}. Exits 0 after a complete run
 * (or for {@code --help}), 1 with a message naming what failed (a bad option included).
 */
public final class BenchMain {
    private static final String USAGE = "usage: ha-bench <benchmark> [options]\n"
            + "benchmarks:\n"
            + "  queue   the HA task queue vs Curator's queues and raw ZooKeeper, and its depth sensitivity\n"
            + "  limits  the HA queue with and without cluster-wide limits (what unused limits cost)\n"
            + "  peers   HA against the job systems users would pick instead, and HA on the shapes they deploy\n\n"
            + QueueBenchOptions.USAGE + "\n" + LimitsBench.USAGE + "\n" + PeersBenchmark.usage();

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            System.out.print(USAGE);
            return args.length == 0 ? 1 : 0;
        }
        quietLogging();
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (args[0].equals("limits")) {
            return limits(rest);
        }
        if (args[0].equals("peers")) {
            return peers(rest);
        }
        if (!args[0].equals("queue")) {
            System.err.println("ha-bench: unknown benchmark '" + args[0] + "'\n" + USAGE);
            return 1;
        }
        if (rest.contains("-h") || rest.contains("--help")) {
            System.out.print(QueueBenchOptions.USAGE);
            return 0;
        }
        QueueBenchOptions options;
        try {
            options = QueueBenchOptions.parse(rest);
        } catch (IllegalArgumentException e) {
            System.err.println("ha-bench queue: " + e.getMessage() + "\n" + QueueBenchOptions.USAGE);
            return 1;
        }
        try {
            new QueueBenchmark(options, System.out).run();
            return 0;
        } catch (BenchException e) {
            System.err.println("ha-bench queue FAILED: " + e.getMessage());
            return 1;
        } catch (Exception | Error e) {
            System.err.println("ha-bench queue FAILED: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    private static int limits(List<String> rest) {
        if (rest.contains("-h") || rest.contains("--help")) {
            System.out.print(LimitsBench.USAGE);
            return 0;
        }
        try {
            new LimitsBench(rest, System.out).run();
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("ha-bench limits: " + e.getMessage() + "\n" + LimitsBench.USAGE);
            return 1;
        } catch (Exception | Error e) {
            System.err.println("ha-bench limits FAILED: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    private static int peers(List<String> rest) {
        if (rest.contains("-h") || rest.contains("--help")) {
            System.out.print(PeersBenchmark.usage());
            return 0;
        }
        PeerOptions options;
        try {
            options = PeersBenchmark.parse(rest);
        } catch (IllegalArgumentException e) {
            System.err.println("ha-bench peers: " + e.getMessage() + "\n" + PeersBenchmark.usage());
            return 1;
        }
        try {
            new PeersBenchmark(options, System.out).run();
            return 0;
        } catch (BenchException e) {
            System.err.println("ha-bench peers FAILED: " + e.getMessage());
            return 1;
        } catch (Exception | Error e) {
            System.err.println("ha-bench peers FAILED: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    /**
     * ZooKeeper, Curator, HA and the peers (db-scheduler, Quartz, HikariCP) at WARN whatever logback configuration is
     * on the class path: per-operation log lines would slow what is measured.
     */
    private static void quietLogging() {
        for (String name : List.of("org.apache.zookeeper", "org.apache.curator", "io.ha", "com.github.kagkarlsson",
                "org.quartz", "com.zaxxer.hikari")) {
            if (LoggerFactory.getLogger(name) instanceof Logger logback) {
                logback.setLevel(Level.WARN);
            }
        }
        // Warns that an embedded server has no connection limit configured: true, and beside the point here.
        if (LoggerFactory.getLogger("org.apache.zookeeper.server.ServerCnxnFactory") instanceof Logger logback) {
            logback.setLevel(Level.ERROR);
        }
    }
}
