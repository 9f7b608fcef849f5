package io.ha.agent.bench;

import io.ha.core.cluster.EmbeddedZooKeeper;
import io.ha.core.task.TypeLimit;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
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
 * median round of each counts. The ratios to "no limits" are the result: throughput, the CPU time of the whole
 * process per task, and the CPU time of the dispatcher's thread per task (where limits are checked; the least
 * sensitive to other processes on the machine).
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
        Map<Case, List<Double>> cpu = new LinkedHashMap<>();
        Map<Case, List<Double>> dispatcherCpu = new LinkedHashMap<>();
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start();
             HaFleet fleet = HaFleet.start(server.connectString(), "bench-limits", workers)) {
            fleet.startWorkers(concurrency);
            fleet.awaitAccepting(Duration.ofSeconds(30));
            for (int w = 1; w <= 5; w++) {
                double r = bench.endToEnd(fleet, tasks).perSecond();
                out.printf(Locale.ROOT, "warm-up %d (not counted): %.0f tasks/s%n", w, r);
            }
            Case[] cases = Case.values();
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < cases.length; i++) {
                    Case c = cases[(round + i) % cases.length];
                    apply(fleet, c);
                    long cpu0 = processCpuNanos();
                    long disp0 = dispatcherCpuNanos();
                    double r = bench.endToEnd(fleet, tasks).perSecond();
                    double cpuUs = (processCpuNanos() - cpu0) / 1e3 / tasks;
                    double dispUs = (dispatcherCpuNanos() - disp0) / 1e3 / tasks;
                    rates.computeIfAbsent(c, k -> new ArrayList<>()).add(r);
                    cpu.computeIfAbsent(c, k -> new ArrayList<>()).add(cpuUs);
                    dispatcherCpu.computeIfAbsent(c, k -> new ArrayList<>()).add(dispUs);
                    out.printf(Locale.ROOT, "round %d %-22s %6.0f tasks/s  CPU %5.0f us/task, dispatcher thread %4.1f "
                            + "us/task%n", round + 1, c, r, cpuUs, dispUs);
                }
            }
            apply(fleet, Case.NO_LIMITS);
        }
        double base = median(rates.get(Case.NO_LIMITS));
        double baseCpu = median(cpu.get(Case.NO_LIMITS));
        double baseDisp = median(dispatcherCpu.get(Case.NO_LIMITS));
        out.printf(Locale.ROOT, "%nmedians of %d rounds of %d tasks%n%-22s %9s %8s %12s %8s %16s %8s%n", rounds, tasks,
                "case", "tasks/s", "vs none", "CPU us/task", "vs none", "dispatcher us/t", "vs none");
        for (Case c : Case.values()) {
            double m = median(rates.get(c));
            double mc = median(cpu.get(c));
            double md = median(dispatcherCpu.get(c));
            out.printf(Locale.ROOT, "%-22s %9.0f %7.2fx %12.0f %7.2fx %16.1f %7.2fx%n", c, m, m / base, mc,
                    mc / baseCpu, md, md / baseDisp);
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

    /** CPU time of this whole process (server, clients, workers, GC). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time of the dispatcher's threads (one per leadership term), where the limits are checked. */
    private static long dispatcherCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("ha-leader-task-dispatcher")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
