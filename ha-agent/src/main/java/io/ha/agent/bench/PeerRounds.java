package io.ha.agent.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The one way every system of {@code ha-bench peers} is measured, so that their figures compare: untimed rounds of
 * the full size first, each exactly like a timed one, until one spends less than 5% of its wall time in the JIT
 * compiler (or after 6 rounds or 120 s; one round with {@code --quick}); then the timed rounds, each after this
 * process has gone idle; the median round counts. Around each round it takes the CPU time of this JVM and, for a
 * system with a server process of its own (PostgreSQL), of that server.
 */
final class PeerRounds {
    private static final double SETTLED_JIT_SHARE = 0.05;
    private static final int MAX_WARMUP_RUNS = 6;
    private static final int MAX_WARMUP_SECONDS = 120;

    /** One run of {@code n} tasks, timed from the first submit to the last recorded completion. */
    interface Body {
        /** @return the elapsed seconds */
        double run(int round, int n) throws Exception;
    }

    /**
     * What one round measured.
     *
     * @param serverCpuSeconds CPU seconds of the system's own server processes, or -1 when it has none
     */
    record Round(int tasks, double seconds, CpuProfile.Usage cpu, double serverCpuSeconds) {
        double perSecond() {
            return tasks / seconds;
        }

        double jitShare() {
            return cpu.jitSeconds() / cpu.wallSeconds();
        }

        double jvmCpuMsPerTask() {
            return cpu.processSeconds() * 1000 / tasks;
        }

        double serverCpuMsPerTask() {
            return serverCpuSeconds * 1000 / tasks;
        }
    }

    private PeerRounds() {
    }

    /**
     * Runs the warm-up and the timed rounds and puts {@code <prefix>_per_s} (the median round's rate),
     * {@code <prefix>_per_s_rounds}, {@code <prefix>_jvm_cpu_ms_per_task} and, with a server,
     * {@code <prefix>_server_cpu_ms_per_task}.
     *
     * @param serverCpuNanos the CPU nanoseconds the system's server has used so far, or null when it has none
     * @return the median round
     */
    static Round measure(String prefix, String label, PeerOptions options, PeerResults results, Body body,
                         LongSupplier serverCpuNanos) throws Exception {
        int n = options.tasks();
        int maxRuns = options.quick() ? 1 : MAX_WARMUP_RUNS;
        long warmStart = System.nanoTime();
        int round = 0;
        for (int run = 1; run <= maxRuns; run++) {
            Round r = round(body, ++round, n, serverCpuNanos);
            results.progress(String.format(Locale.ROOT, "%s: warm-up round %d: %.0f tasks/s, JIT compiling %.0f%% "
                    + "of the time", prefix, run, r.perSecond(), 100 * r.jitShare()));
            if (r.jitShare() < SETTLED_JIT_SHARE
                    || System.nanoTime() - warmStart > TimeUnit.SECONDS.toNanos(MAX_WARMUP_SECONDS)) {
                break;
            }
        }
        List<Round> rounds = new ArrayList<>();
        for (int i = 1; i <= options.rounds(); i++) {
            Round r = round(body, ++round, n, serverCpuNanos);
            results.progress(String.format(Locale.ROOT, "%s: round %d of %d: %.0f tasks/s, CPU %.2f ms/task in "
                    + "this JVM%s", prefix, i, options.rounds(), r.perSecond(), r.jvmCpuMsPerTask(),
                    r.serverCpuSeconds() < 0 ? "" : String.format(Locale.ROOT, ", %.2f ms/task in the server",
                            r.serverCpuMsPerTask())));
            rounds.add(r);
        }
        Round median = rounds.stream().sorted(Comparator.comparingDouble(Round::perSecond)).toList()
                .get(rounds.size() / 2);
        results.put(prefix + "_per_s", median.perSecond(), String.format(Locale.ROOT,
                "%s, tasks/s (%d tasks, %d x %d threads, median of %d)", label, n, options.workers(),
                options.concurrency(), rounds.size()));
        results.put(prefix + "_per_s_rounds", rounds.stream().map(r -> PeerResults.round(r.perSecond())).toList(),
                label + ", tasks/s of each timed round");
        results.put(prefix + "_jvm_cpu_ms_per_task", median.jvmCpuMsPerTask(),
                label + ", CPU ms per task in this JVM (median round)");
        if (median.serverCpuSeconds() >= 0) {
            results.put(prefix + "_server_cpu_ms_per_task", median.serverCpuMsPerTask(),
                    label + ", CPU ms per task in the database server (median round)");
        }
        return median;
    }

    private static Round round(Body body, int round, int n, LongSupplier serverCpuNanos) throws Exception {
        HaQueueBench.awaitIdle(Duration.ofMillis(300), Duration.ofSeconds(60));
        long server0 = serverCpuNanos == null ? -1 : serverCpuNanos.getAsLong();
        CpuProfile cpu = CpuProfile.start();
        double seconds = body.run(round, n);
        CpuProfile.Usage usage = cpu.stop();
        long server1 = serverCpuNanos == null ? -1 : serverCpuNanos.getAsLong();
        double serverSeconds = server0 < 0 || server1 < 0 ? -1 : (server1 - server0) / 1e9;
        return new Round(n, seconds, usage, serverSeconds);
    }

    /** Waits for {@code done} to reach {@code n}, failing after a deadline that grows with {@code n}. */
    static void await(String what, int n, LongSupplier done, long t0) throws Exception {
        long deadline = t0 + Duration.ofSeconds(Math.max(120, n / 20)).toNanos();
        while (done.getAsLong() < n) {
            if (System.nanoTime() > deadline) {
                throw new BenchException(what + ": only " + done.getAsLong() + " of " + n + " tasks completed "
                        + "within " + TimeUnit.NANOSECONDS.toSeconds(deadline - t0) + " s");
            }
            Thread.sleep(1);
        }
    }
}
