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
import java.util.stream.Collectors;

/**
 * {@code ha-bench peers}: HA against what users would pick instead, on the shapes they deploy, in one run. Each
 * {@link PeerSection} measures one system (or one shape of HA) and puts its figures into one {@link PeerResults};
 * the ratios between sections are computed from the same run once all have run, never from figures of other runs.
 * Prints the figures as one table and, with {@code --json}, writes them as one flat JSON object. See
 * docs/PERFORMANCE.md ("Peers") for what each figure means.
 */
public final class PeersBenchmark {
    /** Every section, in the default order. */
    static final List<PeerSection> SECTIONS = List.of(new HaPeerSection(), new DbSchedulerPeerSection(),
            new QuartzPeerSection(),
            new LockPeerSection(),
            new EnsemblePeerSection(),
            new ScalePeerSection(),
            new FailoverPeerSection(),
            new CtlPeerSection());

    /** Ratios of HA to a peer: key, numerator key, denominator key, target (the least ratio wanted; 0: none). */
    private record Ratio(String key, String of, String to, double target) {
    }

    private static final List<Ratio> RATIOS = List.of(
            new Ratio("ha_vs_dbscheduler_lock_and_fetch", "ha_tasks_per_s", "dbscheduler_lock_and_fetch_per_s", 1.5),
            new Ratio("ha_vs_dbscheduler_fetch", "ha_tasks_per_s", "dbscheduler_fetch_per_s", 0),
            new Ratio("ha_vs_quartz_jdbc", "ha_tasks_per_s", "quartz_jdbc_per_s", 3),
            new Ratio("ensemble_ha_vs_sync_creates", "ensemble_ha_tasks_per_s", "ensemble_zk_sync_creates_per_s",
                    1.5));

    private final PeerOptions options;
    private final PrintStream out;

    public PeersBenchmark(PeerOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    static String usage() {
        return PeerOptions.USAGE + "sections:\n" + SECTIONS.stream()
                .map(s -> String.format(Locale.ROOT, "  %-12s %s", s.name(), s.description()))
                .collect(Collectors.joining("\n")) + "\n";
    }

    static PeerOptions parse(List<String> args) {
        return PeerOptions.parse(args, SECTIONS.stream().map(PeerSection::name).toList());
    }

    /** Runs the selected sections in order, prints the table (and writes the JSON when asked); throws on a failure. */
    public PeerResults run() throws Exception {
        PeerResults results = new PeerResults(out);
        out.println("ha-bench peers: " + QueueReport.machine() + loadAverage());
        out.printf(Locale.ROOT, "options: --tasks %d --workers %d --concurrency %d --rounds %d --sections %s%s%n",
                options.tasks(), options.workers(), options.concurrency(), options.rounds(),
                String.join(",", options.sections()), options.quick() ? " --quick" : "");
        CpuProfile whole = CpuProfile.start();
        for (String name : options.sections()) {
            PeerSection section = SECTIONS.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
            results.progress(name + ": " + section.description());
            section.run(options, results);
        }
        for (Ratio r : RATIOS) {
            var of = results.number(r.of());
            var to = results.number(r.to());
            if (of.isPresent() && to.isPresent() && to.get() > 0) {
                double ratio = of.get() / to.get();
                if (r.target() > 0) {
                    results.put(r.key(), ratio, r.of() + " / " + r.to() + " (target >= " + r.target() + ")");
                    results.put("target_" + r.key() + "_met", ratio >= r.target(), "target " + r.target() + "x met");
                } else {
                    results.put(r.key(), ratio, r.of() + " / " + r.to());
                }
            }
        }
        CpuProfile.Usage usage = whole.stop();
        results.put("other_processes_cores_whole_run", usage.otherProcessCores(),
                "cores used by other processes on the machine, whole run (they skew every figure)");
        results.put("run_seconds", usage.wallSeconds(), "whole run, seconds");
        printTable(results);
        if (options.json() != null) {
            writeJson(results, options.json());
            out.println("figures written to " + options.json());
        }
        return results;
    }

    private void printTable(PeerResults results) {
        out.println();
        out.printf(Locale.ROOT, "%-44s %14s  %s%n", "figure", "value", "what");
        out.println("-".repeat(120));
        results.figures().forEach((k, v) -> out.printf(Locale.ROOT, "%-44s %14s  %s%n", k, format(v),
                results.label(k)));
        results.skipped().forEach((s, why) -> out.printf(Locale.ROOT, "section %s SKIPPED: %s%n", s, why));
        out.flush();
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%,.0f", d)
                    : String.format(Locale.ROOT, "%.3f", d);
        }
        return String.valueOf(v);
    }

    private void writeJson(PeerResults results, Path file) throws IOException {
        Map<String, Object> j = new LinkedHashMap<>(results.figures());
        j.put("skipped", results.skipped());
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("tasks", options.tasks());
        opts.put("workers", options.workers());
        opts.put("concurrency", options.concurrency());
        opts.put("rounds", options.rounds());
        opts.put("sections", options.sections());
        opts.put("quick", options.quick());
        j.put("options", opts);
        j.put("machine", QueueReport.machine());
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), j);
    }

    private static String loadAverage() {
        try {
            return "; load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + " at start";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
