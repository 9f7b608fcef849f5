package io.ha.agent.bench;

import io.ha.core.cluster.EmbeddedZooKeeper;
import io.ha.core.task.TypeLimit;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ha-bench limits}: what cluster-wide limits cost a task type that does not use them. The same HA fleet runs
 * the queue end to end (as {@code ha-bench queue}'s HA row) with no limits, with a limit set on another type (the
 * dispatcher checks every candidate against the limits), and with a limit on the queue's own type high enough never
 * to bind (counted and checked, never refusing); the cases alternate within each round, in a rotating order, and the
 * median round of each counts. The ratios to "no limits" are the result; the machine's noise is their error bar.
 */
public final class LimitsBench {
    static final String USAGE = """
            usage: ha-bench limits [options]
              --tasks N        tasks per timed run (default 10000)
              --rounds N       rounds; each runs every case once, the median counts (default 5)
              --workers N      HA members with a worker (default 4)
              --concurrency C  handler threads per worker (default 32)
            """;

    private enum Case { NO_LIMITS, OTHER_TYPE_LIMITED, SAME_TYPE_HIGH_LIMIT }

    private final int tasks;
    private final int rounds;
    private final int workers;
    private final int concurrency;
    private final PrintStream out;

    LimitsBench(List<String> args, PrintStream out) {
        Map<String, Integer> values = new LinkedHashMap<>(Map.of("--tasks", 10_000, "--rounds", 5, "--workers", 4,
                "--concurrency", 32));
        for (int i = 0; i < args.size(); i++) {
            String opt = args.get(i);
            if (!values.containsKey(opt) || i + 1 >= args.size()) {
                throw new IllegalArgumentException("unknown option or missing value: " + opt);
            }
            try {
                values.put(opt, Integer.parseInt(args.get(++i)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(opt + " needs a whole number, got '" + args.get(i) + "'");
            }
            if (values.get(opt) < 1) {
                throw new IllegalArgumentException(opt + " must be at least 1, got " + values.get(opt));
            }
        }
        this.tasks = values.get("--tasks");
        this.rounds = values.get("--rounds");
        this.workers = values.get("--workers");
        this.concurrency = values.get("--concurrency");
        this.out = out;
    }

    void run() throws Exception {
        byte[] payload = "xxxxxxxxxxxxxxxx".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        HaQueueBench bench = new HaQueueBench(payload);
        Map<Case, List<Double>> rates = new LinkedHashMap<>();
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start();
             HaFleet fleet = HaFleet.start(server.connectString(), "bench-limits", workers)) {
            fleet.startWorkers(concurrency);
            fleet.awaitAccepting(Duration.ofSeconds(30));
            for (int w = 1; w <= 3; w++) {
                double r = bench.endToEnd(fleet, tasks).perSecond();
                out.printf(Locale.ROOT, "warm-up %d (not counted): %.0f tasks/s%n", w, r);
            }
            Case[] cases = Case.values();
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < cases.length; i++) {
                    Case c = cases[(round + i) % cases.length];
                    apply(fleet, c);
                    double r = bench.endToEnd(fleet, tasks).perSecond();
                    rates.computeIfAbsent(c, k -> new ArrayList<>()).add(r);
                    out.printf(Locale.ROOT, "round %d %-22s %.0f tasks/s%n", round + 1, c, r);
                }
            }
            apply(fleet, Case.NO_LIMITS);
        }
        double base = median(rates.get(Case.NO_LIMITS));
        out.printf(Locale.ROOT, "%n%-22s %12s %10s%n", "case", "tasks/s", "vs none");
        for (Case c : Case.values()) {
            double m = median(rates.get(c));
            out.printf(Locale.ROOT, "%-22s %12.0f %9.2fx%n", c, m, m / base);
        }
    }

    private static void apply(HaFleet fleet, Case c) throws Exception {
        switch (c) {
            case NO_LIMITS -> {
                fleet.limits().remove("other");
                fleet.limits().remove(HaFleet.TASK_TYPE);
            }
            case OTHER_TYPE_LIMITED -> {
                fleet.limits().remove(HaFleet.TASK_TYPE);
                fleet.limits().set(TypeLimit.of("other").maxRunning(1).perKey(1).rate(1, 1).build());
            }
            case SAME_TYPE_HIGH_LIMIT -> {
                fleet.limits().remove("other");
                fleet.limits().set(TypeLimit.of(HaFleet.TASK_TYPE).maxRunning(1_000_000).build());
            }
            default -> throw new IllegalStateException(c.name());
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
