package io.ha.agent.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.zookeeper.Version;

/** Prints the results of {@code ha-bench queue} as a table and writes them as one JSON object. */
final class QueueReport {
    private final QueueResults r;
    private final PrintStream out;

    QueueReport(QueueResults results, PrintStream out) {
        this.r = results;
        this.out = out;
    }

    static String machine() {
        return String.format(Locale.ROOT, "%d cores (%s), %s %s, %s %s", Runtime.getRuntime().availableProcessors(),
                cpuModel(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /** The 1-minute load average when the run starts (other work on the machine skews every figure). */
    private static String loadAverage() {
        try {
            return "; load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + " at start";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the core count says enough.
        }
        return "unknown CPU";
    }

    void printHeader() {
        QueueBenchOptions o = r.options;
        out.println("ha-bench queue: " + machine() + loadAverage());
        out.printf(Locale.ROOT, "ZooKeeper %s, embedded in this JVM on 127.0.0.1, fsync %s; payload %d bytes%n",
                Version.getFullVersion().split("[ -]")[0], o.fsync() ? "on" : "OFF", r.payloadBytes);
        out.printf(Locale.ROOT, "options: --tasks %d --workers %d --concurrency %d --baseline-items %d "
                        + "--zk-creates %d --zk-multi-nodes %d --depths %d,%d --depth-batch %d --depth-rounds %d "
                        + "--rounds %d%s%n",
                o.tasks(), o.workers(), o.concurrency(), o.baselineItems(), o.zkCreates(), o.zkMultiNodes(),
                o.depthSmall(), o.depthLarge(), o.depthBatch(), o.depthRounds(), o.rounds(),
                o.fsync() ? "" : " --no-fsync");
        out.flush();
    }

    void printTable() {
        QueueBenchOptions o = r.options;
        String line = "-".repeat(104);
        out.println();
        out.printf(Locale.ROOT, "%-62s %20s %9s %9s%n", "what", "rate", "p50 ms", "p99 ms");
        out.println(line);
        row(String.format(Locale.ROOT, "HA queue end to end (1 producer, %d workers x %d%s)", o.workers(),
                o.concurrency(), medianOf(r.haRoundRates)), r.ha.perSecond(), "tasks/s", r.ha.latencies());
        row(String.format(Locale.ROOT, "HA queue end to end, paced at %s tasks/s (no backlog)",
                count(r.haPaced.tasks() / r.haPaced.seconds())), r.haPaced.perSecond(), "tasks/s",
                r.haPaced.latencies());
        row(String.format(Locale.ROOT, "HA group: %s members + join, submit to the join's end",
                count(r.haGroup.members())), r.haGroup.perSecond(), "tasks/s", null);
        row(String.format(Locale.ROOT, "Curator DistributedQueue (1 producer, %d consumers%s)", o.workers(),
                medianOf(r.curatorDistributedQueueRounds)), r.curatorDistributedQueue, "items/s", null);
        row(String.format(Locale.ROOT, "Curator SimpleDistributedQueue (1 producer, %d consumers%s)", o.workers(),
                medianOf(r.curatorSimpleQueueRounds)), r.curatorSimpleQueue, "items/s", null);
        row("ZooKeeper, 1 client: synchronous creates" + (r.zkSyncCreateRounds.size() > 1 ? " (median)" : ""),
                r.zkSyncCreates,
                "creates/s", null);
        row("ZooKeeper, 1 client: pipelined creates (1,000 in flight)", r.zkAsyncCreates, "creates/s", null);
        row("ZooKeeper, 1 client: creates in multi() of 100", r.zkMultiCreates, "creates/s", null);
        row("ZooKeeper, 1 client: synchronous getData", r.zkSyncReads, "reads/s", null);
        depthRow(r.depthSmall);
        depthRow(r.depthLarge);
        out.println(line);
        out.printf(Locale.ROOT, "%-62s %12s %12s  %s%n", "target (same run)", "measured", "target", "result");
        target("HA end to end vs Curator DistributedQueue", r.haVsDistributedQueue(),
                QueueResults.TARGET_VS_DISTRIBUTED_QUEUE, true);
        target("HA end to end vs synchronous creates", r.haVsSyncCreates(), QueueResults.TARGET_VS_SYNC_CREATES,
                true);
        target(String.format(Locale.ROOT, "cost per task, %s vs %s queued", count(r.depthLarge.queued()),
                count(r.depthSmall.queued())), r.depthRatio(), QueueResults.TARGET_DEPTH_RATIO, false);
        out.printf(Locale.ROOT, "%-62s %11.2fx%n", "(the same in CPU time per task)", r.depthCpuRatio());
        out.printf(Locale.ROOT, "%-62s %11.2fx%n", "(HA group vs HA queue end to end, tasks/s)", r.haGroupVsQueue());
        out.printf(Locale.ROOT, "%-62s %11.2fx%n", "(HA vs Curator SimpleDistributedQueue)", r.haVsSimpleQueue());
        out.printf(Locale.ROOT, "%-62s %11.2fx%n", "(HA vs multi() creates, the batched write limit)",
                r.haVsMultiCreates());
        out.println(line);
        printRounds();
        printCost();
        out.flush();
    }

    private void row(String what, double rate, String unit, HaQueueBench.Latencies lat) {
        if (lat == null) {
            out.printf(Locale.ROOT, "%-62s %10s %s%n", what, count(rate), unit);
        } else {
            out.printf(Locale.ROOT, "%-62s %10s %-9s %9s %9s%n", what, count(rate), unit, count(lat.p50()),
                    count(lat.p99()));
        }
    }

    private void depthRow(HaQueueBench.Depth d) {
        out.printf(Locale.ROOT, "%-62s %10.3f ms/task  (%s tasks/s; rounds %s)%n", String.format(Locale.ROOT,
                "HA depth: %s queued, %s processed (median of %d)", count(d.queued()), count(d.batch()),
                d.msPerTaskRounds().size()), d.msPerTask(), count(d.perSecond()), list(d.msPerTaskRounds()));
        out.printf(Locale.ROOT, "%-62s %10.3f ms CPU/task (rounds %s)%n", "", d.cpuMsPerTask(),
                list(d.cpuMsPerTaskRounds()));
    }

    /** " (median of N)" when there were several rounds. */
    private static String medianOf(List<Double> rounds) {
        return rounds.size() > 1 ? ", median" : "";
    }

    /** Every round of the rows measured more than once, below the table. */
    private void printRounds() {
        if (r.haRoundRates.size() <= 1) {
            return;
        }
        out.println("Rounds (one after another on the same clients; the median is in the table):");
        roundLine("HA queue end to end", r.haRoundRates, "tasks/s");
        if (!r.haRoundJitShares.isEmpty()) {
            StringBuilder jit = new StringBuilder();
            r.haRoundJitShares.forEach(v -> jit.append(jit.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%.0f%%", 100 * v)));
            out.printf(Locale.ROOT, "  %-38s %s of the time%n", "  (JIT compiling in those rounds)", jit);
        }
        roundLine("Curator DistributedQueue", r.curatorDistributedQueueRounds, "items/s");
        roundLine("Curator SimpleDistributedQueue", r.curatorSimpleQueueRounds, "items/s");
        roundLine("ZooKeeper synchronous creates", r.zkSyncCreateRounds, "creates/s");
    }

    private void roundLine(String what, List<Double> rounds, String unit) {
        StringBuilder s = new StringBuilder();
        rounds.forEach(v -> s.append(s.length() == 0 ? "" : ", ").append(count(v)));
        out.printf(Locale.ROOT, "  %-38s %s %s%n", what, s, unit);
    }

    private static String list(List<Double> values) {
        StringBuilder s = new StringBuilder();
        values.forEach(v -> s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", v)));
        return s.toString();
    }

    private void target(String what, double measured, double target, boolean atLeast) {
        boolean met = atLeast ? measured >= target : measured <= target;
        String result;
        if (met) {
            result = "MET";
        } else if (atLeast) {
            result = String.format(Locale.ROOT, "MISSED: %.0f%% of the target (%.2fx more needed)",
                    100 * measured / target, target / measured);
        } else {
            result = String.format(Locale.ROOT, "MISSED: %.0f%% over the target", 100 * (measured / target - 1));
        }
        out.printf(Locale.ROOT, "%-62s %11.2fx %11s  %s%n", what, measured,
                (atLeast ? ">= " : "<= ") + String.format(Locale.ROOT, "%.1fx", target), result);
    }

    private void printCost() {
        ServerStats c = r.haServerCost;
        double n = r.ha.tasks();
        CpuProfile.Usage u = r.haCpu;
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "Where the time goes in the timed HA run (%s tasks in %.2f s):%n", count(n),
                r.ha.seconds());
        out.printf(Locale.ROOT, "  ZooKeeper server, per task: %.2f requests received, %.2f write transactions, "
                + "%.2f packets sent (responses and watch events)%n", c.received() / n, c.zxid() / n, c.sent() / n);
        out.printf(Locale.ROOT, "  Tasks assigned to the workers, on average: %.0f of %d slots; of those picked up by "
                + "the workers: %.0f, waiting at the workers for pickup: %.0f%n", r.ha.avgAssigned(), r.haCapacity,
                // Both sampled, not at one instant, and a worker holds a task until its outcome is answered, after
                // the leader counts it done: the difference can come out slightly negative, which means none.
                r.ha.avgHeld(), Math.max(0, r.ha.avgAssigned() - r.ha.avgHeld()));
        out.printf(Locale.ROOT, "  CPU: this process used %.1f of %d cores (%.1f s in %.1f s)%s; by thread role:%n",
                u.processSeconds() / u.wallSeconds(), cores, u.processSeconds(), u.wallSeconds(),
                u.otherProcessCores() < 0 ? "" : String.format(Locale.ROOT, ", other processes %.1f",
                        u.otherProcessCores()));
        u.byRole().forEach((role, seconds) -> {
            if (seconds >= 0.05) {
                out.printf(Locale.ROOT, "    %-44s %6.1f s  %5.1f%%%n", role, seconds,
                        100 * seconds / u.processSeconds());
            }
        });
        out.printf(Locale.ROOT, "    (collectors report %.1f s of GC work, the JIT %.1f s of compiling)%n",
                u.gcSeconds(), u.jitSeconds());
        r.haSamples.forEach((group, shares) -> {
            if (shares.isEmpty()) {
                return; // no such threads in this version of ha-core
            }
            out.printf(Locale.ROOT, "  %s, share of wall time (stack samples every 50 ms):%n", group);
            shares.entrySet().stream().limit(6).forEach(e -> out.printf(Locale.ROOT, "    %-58s %5.1f%%%n",
                    e.getKey(), e.getValue()));
        });
        CpuProfile.Usage w = r.wholeRun;
        if (w.otherProcessCores() >= 0) {
            out.printf(Locale.ROOT, "Whole run: %.0f s; other processes on this machine used %.2f of its %d cores "
                    + "on average (their load skews every figure)%n", w.wallSeconds(), w.otherProcessCores(), cores);
        }
    }

    private static String count(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("ha_tasks_per_s", round(r.ha.perSecond(), 1));
        j.put("ha_p50_ms", r.ha.latencies().p50());
        j.put("ha_p99_ms", r.ha.latencies().p99());
        j.put("ha_max_ms", r.ha.latencies().max());
        j.put("ha_tasks", r.ha.tasks());
        j.put("ha_seconds", round(r.ha.seconds(), 3));
        j.put("ha_paced_target_per_s", round(r.haPaced.tasks() / r.haPaced.seconds(), 1));
        j.put("ha_paced_p50_ms", r.haPaced.latencies().p50());
        j.put("ha_paced_p99_ms", r.haPaced.latencies().p99());
        j.put("ha_group_members", r.haGroup.members());
        j.put("ha_group_seconds", round(r.haGroup.seconds(), 3));
        j.put("ha_group_tasks_per_s", round(r.haGroup.perSecond(), 1));
        j.put("ha_group_vs_queue", round(r.haGroupVsQueue(), 3));
        j.put("ha_tasks_per_s_rounds", r.haRoundRates.stream().map(v -> round(v, 1)).toList());
        j.put("ha_jit_share_rounds", r.haRoundJitShares.stream().map(v -> round(v, 3)).toList());
        j.put("curator_distributed_queue_per_s", round(r.curatorDistributedQueue, 1));
        j.put("curator_distributed_queue_per_s_rounds", r.curatorDistributedQueueRounds.stream()
                .map(v -> round(v, 1)).toList());
        j.put("curator_simple_queue_per_s_rounds", r.curatorSimpleQueueRounds.stream().map(v -> round(v, 1))
                .toList());
        j.put("zk_sync_creates_per_s_rounds", r.zkSyncCreateRounds.stream().map(v -> round(v, 1)).toList());
        j.put("curator_simple_queue_per_s", round(r.curatorSimpleQueue, 1));
        j.put("zk_sync_creates_per_s", round(r.zkSyncCreates, 1));
        j.put("zk_async_creates_per_s", round(r.zkAsyncCreates, 1));
        j.put("zk_multi_creates_per_s", round(r.zkMultiCreates, 1));
        j.put("zk_sync_reads_per_s", round(r.zkSyncReads, 1));
        j.put("ha_depth_small_queued", r.depthSmall.queued());
        j.put("ha_depth_large_queued", r.depthLarge.queued());
        j.put("ha_depth_batch", r.depthSmall.batch());
        j.put("ha_ms_per_task_small_depth", round(r.depthSmall.msPerTask(), 4));
        j.put("ha_ms_per_task_large_depth", round(r.depthLarge.msPerTask(), 4));
        j.put("ha_ms_per_task_small_depth_rounds", r.depthSmall.msPerTaskRounds().stream().map(v -> round(v, 4))
                .toList());
        j.put("ha_ms_per_task_large_depth_rounds", r.depthLarge.msPerTaskRounds().stream().map(v -> round(v, 4))
                .toList());
        j.put("ha_cpu_ms_per_task_small_depth", round(r.depthSmall.cpuMsPerTask(), 4));
        j.put("ha_cpu_ms_per_task_large_depth", round(r.depthLarge.cpuMsPerTask(), 4));
        j.put("ha_cpu_ms_per_task_small_depth_rounds", r.depthSmall.cpuMsPerTaskRounds().stream()
                .map(v -> round(v, 4)).toList());
        j.put("ha_cpu_ms_per_task_large_depth_rounds", r.depthLarge.cpuMsPerTaskRounds().stream()
                .map(v -> round(v, 4)).toList());
        j.put("ha_cpu_cost_ratio_100k_vs_1k", round(r.depthCpuRatio(), 3));
        j.put("ha_prequeue_seconds_large_depth", round(r.depthLarge.prequeueSeconds(), 2));
        j.put("ha_cost_ratio_100k_vs_1k", round(r.depthRatio(), 3));
        j.put("ha_vs_curator_distributed_queue", round(r.haVsDistributedQueue(), 2));
        j.put("ha_vs_curator_simple_queue", round(r.haVsSimpleQueue(), 2));
        j.put("ha_vs_zk_sync_creates", round(r.haVsSyncCreates(), 3));
        j.put("ha_vs_zk_multi_creates", round(r.haVsMultiCreates(), 3));
        j.put("target_vs_curator_distributed_queue_met", r.metVsDistributedQueue());
        j.put("target_vs_zk_sync_creates_met", r.metVsSyncCreates());
        j.put("target_depth_ratio_met", r.metDepth());
        double n = r.ha.tasks();
        j.put("zk_requests_per_task", round(r.haServerCost.received() / n, 3));
        j.put("zk_write_txns_per_task", round(r.haServerCost.zxid() / n, 3));
        j.put("zk_packets_sent_per_task", round(r.haServerCost.sent() / n, 3));
        j.put("ha_avg_tasks_assigned", round(r.ha.avgAssigned(), 1));
        j.put("ha_avg_tasks_picked_up", round(r.ha.avgHeld(), 1));
        j.put("ha_worker_slots", r.haCapacity);
        Map<String, Double> cpu = new LinkedHashMap<>();
        r.haCpu.byRole().forEach((k, v) -> cpu.put(k, round(v, 2)));
        cpu.put("process total", round(r.haCpu.processSeconds(), 2));
        cpu.put("wall", round(r.haCpu.wallSeconds(), 2));
        cpu.put("gc reported", round(r.haCpu.gcSeconds(), 2));
        cpu.put("jit reported", round(r.haCpu.jitSeconds(), 2));
        j.put("ha_cpu_seconds", cpu);
        j.put("other_processes_cores_during_ha_run", round(r.haCpu.otherProcessCores(), 2));
        j.put("other_processes_cores_whole_run", round(r.wholeRun.otherProcessCores(), 2));
        j.put("run_seconds", round(r.wholeRun.wallSeconds(), 1));
        Map<String, Object> opts = new LinkedHashMap<>();
        QueueBenchOptions o = r.options;
        opts.put("tasks", o.tasks());
        opts.put("workers", o.workers());
        opts.put("concurrency", o.concurrency());
        opts.put("baseline_items", o.baselineItems());
        opts.put("zk_creates", o.zkCreates());
        opts.put("zk_multi_nodes", o.zkMultiNodes());
        opts.put("depth_small", o.depthSmall());
        opts.put("depth_large", o.depthLarge());
        opts.put("depth_batch", o.depthBatch());
        opts.put("depth_rounds", o.depthRounds());
        opts.put("rounds", o.rounds());
        opts.put("fsync", o.fsync());
        opts.put("quick", o.quick());
        j.put("options", opts);
        j.put("machine", machine());
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), j);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
