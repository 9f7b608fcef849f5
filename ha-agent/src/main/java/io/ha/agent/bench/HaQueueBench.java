package io.ha.agent.bench;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** The HA task queue runs: end to end at full speed, end to end at a fixed rate, and the queue-depth runs. */
final class HaQueueBench {
    /** Tasks per submitAll call: one ZooKeeper transaction each (TaskQueue batches up to 300). */
    static final int SUBMIT_CHUNK = 300;

    /**
     * Throughput and latency of one run.
     *
     * @param avgAssigned average number of tasks assigned to the workers while the run was timed (sampled every
     *                    100 ms), or -1 when not sampled
     * @param avgHeld     of those, the average number the workers had picked up
     */
    record Run(int tasks, double seconds, double perSecond, Latencies latencies, double avgAssigned,
               double avgHeld) {
        Run withLatencies(Latencies l) {
            return new Run(tasks, seconds, perSecond, l, avgAssigned, avgHeld);
        }
    }

    /** Submit-to-SUCCEEDED latencies in milliseconds. */
    record Latencies(double p50, double p99, double max) {
        static Latencies of(long[] ms) {
            long[] sorted = ms.clone();
            Arrays.sort(sorted);
            return new Latencies(rank(sorted, 0.50), rank(sorted, 0.99), sorted[sorted.length - 1]);
        }

        private static double rank(long[] sorted, double p) {
            int i = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }
    }

    /**
     * The depth runs at one depth: in each round {@code batch} tasks were processed with exactly {@code queued}
     * tasks in the queue when the workers started.
     *
     * @param msPerTaskRounds     elapsed milliseconds per task of each round
     * @param cpuMsPerTaskRounds  CPU milliseconds this process spent per task in each round (all threads: server,
     *                            clients, GC); less sensitive than elapsed time to other processes on the machine
     * @param prequeueSeconds     how long queueing the first {@code queued} tasks took (setup, not part of the
     *                            result)
     */
    record Depth(int queued, int batch, List<Double> msPerTaskRounds, List<Double> cpuMsPerTaskRounds,
                 double prequeueSeconds) {
        /** Elapsed milliseconds per task of the median round. */
        double msPerTask() {
            return median(msPerTaskRounds);
        }

        /** CPU milliseconds per task of the median round. */
        double cpuMsPerTask() {
            return median(cpuMsPerTaskRounds);
        }

        double perSecond() {
            return 1000 / msPerTask();
        }

        /** The median is robust both to a round slowed by other processes and to a lucky one. */
        private static double median(List<Double> values) {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int mid = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }

        Depth plus(double msPerTask, double cpuMsPerTask, double prequeue) {
            List<Double> ms = new ArrayList<>(msPerTaskRounds);
            ms.add(msPerTask);
            List<Double> cpu = new ArrayList<>(cpuMsPerTaskRounds);
            cpu.add(cpuMsPerTask);
            return new Depth(queued, batch, List.copyOf(ms), List.copyOf(cpu),
                    msPerTaskRounds.isEmpty() ? prequeue : prequeueSeconds);
        }
    }

    private final byte[] payload;
    private List<String> lastIds = List.of();

    HaQueueBench(byte[] payload) {
        this.payload = payload.clone();
    }

    private List<TaskSpec> specs(int n) {
        TaskSpec spec = TaskSpec.builder(HaFleet.TASK_TYPE).payload(payload).build();
        return Collections.nCopies(n, spec);
    }

    /**
     * Submits {@code n} tasks as fast as one producer can (chunks of {@link #SUBMIT_CHUNK}) while the workers run
     * them; timed from the first submit to the last SUCCEEDED outcome. No record is read while timed: call
     * {@link #latenciesOfLastRun} afterwards.
     */
    Run endToEnd(HaFleet fleet, int n) throws Exception {
        return run(fleet, n, 0, false);
    }

    /** Submit-to-SUCCEEDED latencies of the tasks of the last run, read from their records. */
    Latencies latenciesOfLastRun(HaFleet fleet) throws Exception {
        return latencies(fleet.queue(), lastIds);
    }

    /**
     * As {@link #endToEnd}, but submitting at {@code perSecond} (small chunks every 20 ms): latency without a backlog.
     */
    Run paced(HaFleet fleet, int n, double perSecond) throws Exception {
        return run(fleet, n, perSecond, true);
    }

    private Run run(HaFleet fleet, int n, double perSecond, boolean withLatencies) throws Exception {
        TaskQueue queue = fleet.queue();
        long base = fleet.succeeded();
        long otherBase = fleet.otherOutcomes();
        List<String> ids = Collections.synchronizedList(new ArrayList<>(n));
        int chunk = perSecond <= 0 ? SUBMIT_CHUNK : Math.max(1, (int) Math.round(perSecond * 0.020));
        double chunkNanos = perSecond <= 0 ? 0 : chunk / perSecond * 1e9;
        ExecutorService producer = Executors.newSingleThreadExecutor(
                new ThreadFactoryBuilder().setNameFormat("bench-producer").setDaemon(true).build());
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                new ThreadFactoryBuilder().setNameFormat("bench-inflight").setDaemon(true).build());
        LongAdder samples = new LongAdder();
        LongAdder assignedSum = new LongAdder();
        LongAdder heldSum = new LongAdder();
        try {
            sampler.scheduleAtFixedRate(() -> {
                try {
                    int[] f = fleet.inFlight();
                    assignedSum.add(f[0]);
                    heldSum.add(f[1]);
                    samples.increment();
                } catch (Exception e) {
                    // A diagnostic only: a missed sample changes no result.
                }
            }, 50, 100, TimeUnit.MILLISECONDS);
            long t0 = System.nanoTime();
            Future<?> submitting = producer.submit(() -> {
                List<TaskSpec> all = specs(n);
                int sent = 0;
                for (int from = 0; from < n; from += chunk) {
                    if (chunkNanos > 0) {
                        long due = t0 + (long) (sent / (double) chunk * chunkNanos);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                    int to = Math.min(n, from + chunk);
                    ids.addAll(queue.submitAll(all.subList(from, to)));
                    sent = to;
                }
                return null;
            });
            long deadline = t0 + Duration.ofSeconds(Math.max(120, n / 50)).toNanos();
            while (fleet.succeeded() - base < n) {
                if (submitting.isDone()) {
                    submitting.get(); // surfaces a submit failure
                }
                if (fleet.otherOutcomes() > otherBase) {
                    throw new BenchException("HA run: " + (fleet.otherOutcomes() - otherBase)
                            + " task(s) ended other than SUCCEEDED (FAILED/DEAD/CANCELLED)");
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchException("HA run: only " + (fleet.succeeded() - base) + " of " + n
                            + " tasks SUCCEEDED within " + TimeUnit.NANOSECONDS.toSeconds(deadline - t0) + " s");
                }
                Thread.sleep(1);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            sampler.shutdownNow();
            submitting.get();
            lastIds = List.copyOf(ids);
            Latencies latencies = withLatencies ? latencies(queue, lastIds) : null;
            long k = samples.sum();
            return new Run(n, seconds, n / seconds, latencies, k == 0 ? -1 : (double) assignedSum.sum() / k,
                    k == 0 ? -1 : (double) heldSum.sum() / k);
        } finally {
            sampler.shutdownNow();
            producer.shutdownNow();
        }
    }

    /** Reads every task (pipelined over several threads) and takes SUCCEEDED time minus submit time. */
    private static Latencies latencies(TaskQueue queue, List<String> ids) throws Exception {
        int threads = 8;
        ExecutorService readers = Executors.newFixedThreadPool(threads,
                new ThreadFactoryBuilder().setNameFormat("bench-reader-%d").setDaemon(true).build());
        try {
            long[] ms = new long[ids.size()];
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(readers.submit(() -> {
                    for (int i = first; i < ms.length; i += threads) {
                        String id = ids.get(i);
                        TaskRecord r = queue.get(id).orElseThrow(() -> new BenchException("task " + id + " vanished"));
                        if (r.state() != TaskState.SUCCEEDED) {
                            throw new BenchException("task " + id + " is " + r.state() + ", expected SUCCEEDED");
                        }
                        long done = -1;
                        for (TaskEvent e : r.history()) {
                            if (e.state() == TaskState.SUCCEEDED) {
                                done = e.at();
                            }
                        }
                        if (done < 0) {
                            throw new BenchException("task " + id + " has no SUCCEEDED event in its history");
                        }
                        ms[i] = done - r.createdAt();
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get(300, TimeUnit.SECONDS);
            }
            return Latencies.of(ms);
        } finally {
            readers.shutdownNow();
        }
    }

    /**
     * One round at one queue depth: starts a fresh set of members (no worker running), tops the queue up to exactly
     * {@code d.queued()} pending tasks, collects garbage and waits until the process is idle (the leader has indexed
     * every pointer), then starts the workers and times until {@code d.batch()} tasks have SUCCEEDED: registration
     * and the leader's first assignment are included, the same at every depth. The members then drain and close;
     * the tasks still queued stay for the next round. Returns {@code d} with this round added.
     */
    Depth depthRound(String connectString, String clusterName, int workers, int concurrency, Depth d)
            throws Exception {
        int queued = d.queued();
        int batch = d.batch();
        try (HaFleet fleet = HaFleet.start(connectString, clusterName, workers)) {
            // A new leader first takes back what closed agents held: count after that.
            awaitIdle(Duration.ofMillis(500), Duration.ofSeconds(120));
            long pending = fleet.queue().counts().get(TaskState.PENDING);
            long p0 = System.nanoTime();
            prequeue(fleet.queue(), (int) Math.max(0, queued - pending));
            double prequeueSeconds = (System.nanoTime() - p0) / 1e9;
            pending = fleet.queue().counts().get(TaskState.PENDING);
            if (pending < queued || pending > queued + (long) workers * concurrency) {
                throw new BenchException("depth run: " + pending + " tasks pending, expected " + queued);
            }
            // A collection now, not in the timed window: with the server's tree in this heap (hundreds of
            // thousands of records) a young collection pauses the process for 80-120 ms, as long as a whole round.
            System.gc();
            awaitIdle(Duration.ofMillis(500), Duration.ofSeconds(120));
            long base = fleet.succeeded();
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            fleet.startWorkers(concurrency);
            long deadline = t0 + Duration.ofSeconds(Math.max(120, batch / 20)).toNanos();
            while (fleet.succeeded() - base < batch) {
                if (fleet.otherOutcomes() > 0) {
                    throw new BenchException("depth run: a task ended other than SUCCEEDED");
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchException("depth run with " + queued + " queued: only "
                            + (fleet.succeeded() - base) + " of " + batch + " tasks SUCCEEDED within "
                            + TimeUnit.NANOSECONDS.toSeconds(deadline - t0) + " s");
                }
                Thread.sleep(1);
            }
            double ms = (System.nanoTime() - t0) / 1e6 / batch;
            return d.plus(ms, (processCpuNanos() - cpu0) / 1e6 / batch, prequeueSeconds);
        }
    }

    /** Submits {@code n} tasks from four threads (setup, not timed as part of the result). */
    private void prequeue(TaskQueue queue, int n) throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads,
                new ThreadFactoryBuilder().setNameFormat("bench-prequeue-%d").setDaemon(true).build());
        try {
            List<Future<?>> parts = new ArrayList<>();
            int chunks = (n + SUBMIT_CHUNK - 1) / SUBMIT_CHUNK;
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int c = first; c < chunks; c += threads) {
                        int size = Math.min(SUBMIT_CHUNK, n - c * SUBMIT_CHUNK);
                        queue.submitAll(specs(size));
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get(600, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /**
     * Waits until the process used under a fifth of a core over {@code window} (the leader has indexed every
     * pending pointer, the server has settled), so the timed batch starts from the same quiet state at every depth.
     */
    static void awaitIdle(Duration window, Duration max) throws Exception {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)) {
            Thread.sleep(window.toMillis());
            return;
        }
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            Thread.sleep(window.toMillis());
            double cores = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - t0);
            if (cores < 0.2) {
                return;
            }
        }
        throw new BenchException("the process did not become idle within " + max.toSeconds() + " s");
    }
}
