package io.ha.agent.bench;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.EmbeddedZooKeeper;
import io.ha.core.cluster.HaCluster;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Section {@code ctl}: the wall time of {@code bin/ha-ctl status} and {@code bin/ha-ctl submit}, each a new JVM as
 * when a script calls them, against a running cluster (an embedded server and one member in this JVM), from the
 * start of the launcher to its exit; 10 runs of each (2 with {@code --quick}), median and p90. Every run is made
 * twice back to back, with ha-ctl's class-data archive and without it ({@code HA_CTL_CDS=off}), so the two figures
 * see the same machine. Also the CPU each run used (launcher and JVM, from this process's ended-children time).
 *
 * <p>The launcher runs with {@code HA_CTL_SKIP_BUILD=1}: it does not look for changed sources (which a source
 * checkout's launcher does first, a {@code find} over the sources), so the figure is the tool's own start, as an
 * installed copy's. The section is skipped when no {@code bin/ha-ctl} is found from the working directory.
 */
final class CtlPeerSection implements PeerSection {
    static final String CLUSTER = "bench-ctl";
    private static final int RUNS = 10;
    private static final int QUICK_RUNS = 2;
    private static final long TARGET_STATUS_MS = 500;

    @Override
    public String name() {
        return "ctl";
    }

    @Override
    public String description() {
        return "wall time of bin/ha-ctl status and submit (a JVM start each), with and without its CDS archive";
    }

    @Override
    public void run(PeerOptions options, PeerResults results) throws Exception {
        Optional<Path> launcher = launcher();
        if (launcher.isEmpty()) {
            results.skip(name(), "no bin/ha-ctl in " + Path.of("").toAbsolutePath() + " or its parent");
            return;
        }
        Path work = Files.createTempDirectory("ha-bench-ctl-");
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start();
             HaCluster member = HaCluster.builder().connectString(server.connectString()).clusterName(CLUSTER)
                     .agentId("ctl-agent").role(ClusterRole.MEMBER).sessionTimeout(HaFleet.SESSION_TIMEOUT)
                     .connectionTimeout(HaFleet.CONNECTION_TIMEOUT).build().start()) {
            member.worker().register(HaFleet.TASK_TYPE, ctx -> null, 4);
            if (!member.leaderElection().awaitLeadership(Duration.ofSeconds(30))) {
                throw new BenchException("ctl: the member did not lead within 30 s");
            }
            CtlRuns runs = new CtlRuns(launcher.get(), server.connectString(), work);
            boolean archiveUsed = runs.archiveUsed();
            results.progress("ctl: " + launcher.get() + (archiveUsed ? " maps its class-data archive"
                    : " has no usable class-data archive (the 'with' figures are without it too)"));
            measure(runs, options.quick() ? QUICK_RUNS : RUNS, results);
            results.put("ctl_cds_archive_used", archiveUsed,
                    "ctl, bin/ha-ctl found and mapped its class-data archive (ha-agent/target/ha-ctl.jsa)");
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void measure(CtlRuns runs, int n, PeerResults results) throws Exception {
        List<String> status = List.of("status");
        List<String> submit = List.of("submit", "--type", HaFleet.TASK_TYPE, "--payload", "x");
        // One untimed run of each (not with --quick): the page cache holds the jars and the archive from then on,
        // as for a script that calls ha-ctl repeatedly.
        if (n > QUICK_RUNS) {
            runs.run(status, true);
            runs.run(status, false);
            runs.run(submit, true);
        }
        List<CtlRuns.Run> statusCds = new ArrayList<>();
        List<CtlRuns.Run> statusPlain = new ArrayList<>();
        List<CtlRuns.Run> submitCds = new ArrayList<>();
        List<CtlRuns.Run> submitPlain = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            statusCds.add(runs.run(status, true));
            statusPlain.add(runs.run(status, false));
            submitCds.add(runs.run(submit, true));
            submitPlain.add(runs.run(submit, false));
        }
        put(results, "ctl_status", "bin/ha-ctl status", statusCds, n);
        put(results, "ctl_submit", "bin/ha-ctl submit", submitCds, n);
        put(results, "ctl_status_no_cds", "bin/ha-ctl status, HA_CTL_CDS=off", statusPlain, n);
        put(results, "ctl_submit_no_cds", "bin/ha-ctl submit, HA_CTL_CDS=off", submitPlain, n);
        double median = results.number("ctl_status_median_ms").orElse(Double.NaN);
        results.put("target_ctl_status_met", median < TARGET_STATUS_MS,
                "target ctl_status_median_ms < " + TARGET_STATUS_MS + " met");
        results.progress(String.format(Locale.ROOT, "ctl: status median %.0f ms with the archive, %.0f ms without",
                median, results.number("ctl_status_no_cds_median_ms").orElse(Double.NaN)));
    }

    private static void put(PeerResults results, String prefix, String what, List<CtlRuns.Run> runs, int n) {
        List<Double> wall = runs.stream().map(CtlRuns.Run::wallMs).toList();
        List<Double> cpu = runs.stream().map(CtlRuns.Run::cpuMs).toList();
        results.put(prefix + "_median_ms", PeerResults.median(wall), String.format(Locale.ROOT,
                "ctl, %s: wall ms, launcher start to exit (median of %d)", what, n));
        results.put(prefix + "_p90_ms", percentile(wall, 0.9), "ctl, " + what + ": wall ms, p90");
        results.put(prefix + "_cpu_median_ms", PeerResults.median(cpu), "ctl, " + what + ": CPU ms (median)");
    }

    /** The nearest-rank percentile. */
    static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** bin/ha-ctl of the HA home: {@code ha.home}, the working directory (bin/ha-bench's) or its parent (a module's). */
    static Optional<Path> launcher() {
        List<Path> homes = new ArrayList<>();
        String home = System.getProperty("ha.home");
        if (home != null && !home.isBlank()) {
            homes.add(Path.of(home));
        }
        Path cwd = Path.of("").toAbsolutePath();
        homes.add(cwd);
        if (cwd.getParent() != null) {
            homes.add(cwd.getParent());
        }
        return homes.stream().map(h -> h.resolve("bin").resolve("ha-ctl")).filter(Files::isExecutable).findFirst();
    }

    /** Runs of one launcher against one cluster. */
    static final class CtlRuns {
        /** One run: its wall and CPU milliseconds. */
        record Run(double wallMs, double cpuMs) {
        }

        private final Path launcher;
        private final String connectString;
        private final Path work;

        CtlRuns(Path launcher, String connectString, Path work) {
            this.launcher = launcher;
            this.connectString = connectString;
            this.work = work;
        }

        Run run(List<String> command, boolean cds) throws Exception {
            return run(command, cds, Map.of());
        }

        private Run run(List<String> command, boolean cds, Map<String, String> extraEnv) throws Exception {
            List<String> argv = new ArrayList<>(List.of(launcher.toString(), "--zk", connectString, "--cluster",
                    CLUSTER));
            argv.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(work.resolve("out.txt").toFile()).redirectInput(ProcessBuilder.Redirect.from(
                            new File("/dev/null")));
            pb.environment().keySet().removeIf(k -> k.startsWith("HA_"));
            pb.environment().put("HA_CTL_SKIP_BUILD", "1");
            pb.environment().put("HA_CTL_CDS", cds ? "on" : "off");
            pb.environment().putAll(extraEnv);
            long cpu0 = ProcCpu.endedChildrenNanos();
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BenchException("ctl: '" + String.join(" ", argv) + "' did not end within 60 s");
            }
            double wall = (System.nanoTime() - t0) / 1e6;
            long cpu1 = ProcCpu.endedChildrenNanos();
            if (p.exitValue() != 0) {
                throw new BenchException("ctl: '" + String.join(" ", argv) + "' exited " + p.exitValue() + ": "
                        + output());
            }
            return new Run(wall, cpu0 < 0 || cpu1 < 0 ? -1 : (cpu1 - cpu0) / 1e6);
        }

        /** Whether the launcher maps ha-ctl's archive: classes of the run came from the archive's top layer. */
        boolean archiveUsed() throws Exception {
            Path log = work.resolve("class-load.txt");
            run(List.of("status"), true, Map.of("HA_CTL_JAVA_OPTS", "-Xlog:class+load=info:file=" + log));
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .anyMatch(l -> l.contains("io.ha.agent.cli.CtlMain") && l.contains("shared objects file (top)"));
        }

        private String output() throws IOException {
            return Files.readString(work.resolve("out.txt"), StandardCharsets.UTF_8).strip();
        }
    }
}
