package io.ha.agent.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time spent by this JVM between two points, split by thread role (the ZooKeeper server, the clients' I/O and
 * event threads, the HA worker pickup threads, the handlers, the dispatcher, the benchmark itself), with the garbage
 * collector's and JIT compiler's time, and how busy the whole machine was (other processes compete for the same
 * cores and would skew every figure).
 */
final class CpuProfile {
    /** Roles in display order. */
    static final List<String> ROLES = List.of("ZooKeeper server", "ZooKeeper client I/O + events",
            "Curator framework", "HA worker pickup and claims", "HA handlers (run + outcome commit)",
            "HA dispatcher (leader)", "HA other", "benchmark (producer, poller)", "other Java threads");

    /**
     * What was used.
     *
     * @param byRole             CPU seconds per role, in {@link #ROLES} order, plus the rest of the process (GC,
     *                           JIT, threads that ended)
     * @param processSeconds     CPU seconds of the whole process
     * @param wallSeconds        elapsed seconds
     * @param gcSeconds          time the collectors report (pauses and concurrent work)
     * @param jitSeconds         time the JIT compiler reports
     * @param machineBusyCores   cores busy machine-wide on average (from /proc/stat), or -1 when unknown
     * @param otherProcessCores  of those, cores used by other processes, or -1 when unknown
     */
    record Usage(Map<String, Double> byRole, double processSeconds, double wallSeconds, double gcSeconds,
                 double jitSeconds, double machineBusyCores, double otherProcessCores) {
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> startCpu = new HashMap<>();
    private final long startProcessCpu;
    private final long startWall;
    private final long startGcMs;
    private final long startJitMs;
    private final long[] startMachine;

    private CpuProfile() {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
            if (info != null) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu >= 0) {
                    startCpu.put(info.getThreadId(), cpu);
                }
            }
        }
        startProcessCpu = processCpu();
        startGcMs = gcMillis();
        startJitMs = jitMillis();
        startMachine = machineTicks();
        startWall = System.nanoTime();
    }

    /** Starts measuring now. */
    static CpuProfile start() {
        return new CpuProfile();
    }

    Usage stop() {
        double wall = (System.nanoTime() - startWall) / 1e9;
        Map<String, Long> byRole = new LinkedHashMap<>();
        ROLES.forEach(r -> byRole.put(r, 0L));
        long threadSum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            long used = cpu - startCpu.getOrDefault(info.getThreadId(), 0L);
            byRole.merge(role(info.getThreadName()), used, Long::sum);
            threadSum += used;
        }
        long process = processCpu() - startProcessCpu;
        Map<String, Double> seconds = new LinkedHashMap<>();
        byRole.forEach((k, v) -> seconds.put(k, v / 1e9));
        seconds.put("GC, JIT and threads that ended", Math.max(0, process - threadSum) / 1e9);
        long[] machine = machineTicks();
        double busyCores = -1;
        double otherCores = -1;
        if (startMachine != null && machine != null && machine[1] > startMachine[1]) {
            double busyShare = (double) (machine[0] - startMachine[0]) / (machine[1] - startMachine[1]);
            busyCores = busyShare * Runtime.getRuntime().availableProcessors();
            otherCores = Math.max(0, busyCores - process / 1e9 / wall);
        }
        return new Usage(seconds, process / 1e9, wall, (gcMillis() - startGcMs) / 1e3,
                (jitMillis() - startJitMs) / 1e3, busyCores, otherCores);
    }

    static String role(String name) {
        if (name.startsWith("SyncThread") || name.startsWith("ProcessThread") || name.startsWith("NIOServerCxn")
                || name.startsWith("NIOWorkerThread") || name.startsWith("CommitProc")
                || name.startsWith("SessionTracker") || name.startsWith("RequestThrottler")
                || name.startsWith("ConnnectionExpirer") || name.startsWith("ConnectionExpirer")
                || name.startsWith("Snapshot")) {
            return "ZooKeeper server";
        }
        if (name.contains("-SendThread(") || name.contains("-EventThread")) {
            return "ZooKeeper client I/O + events";
        }
        if (name.startsWith("Curator-")) {
            return "Curator framework";
        }
        if (name.startsWith("ha-worker-") || name.startsWith("ha-claim-")) {
            return "HA worker pickup and claims";
        }
        if (name.startsWith("ha-task-")) {
            return "HA handlers (run + outcome commit)";
        }
        if (name.startsWith("ha-leader-")) {
            return "HA dispatcher (leader)";
        }
        if (name.startsWith("ha-")) {
            return "HA other";
        }
        if (name.startsWith("bench-") || name.equals("main")) {
            return "benchmark (producer, poller)";
        }
        return "other Java threads";
    }

    private static long processCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** Busy and total jiffies of all cores from /proc/stat, or null off Linux. */
    private static long[] machineTicks() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
