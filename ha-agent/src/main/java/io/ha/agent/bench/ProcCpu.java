package io.ha.agent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of other processes on this machine (the ZooKeeper servers and agents the benchmark started), read from
 * {@code /proc/<pid>/stat}. Guarantee: the sum of user and system time of the live process, in nanoseconds, at
 * 10 ms resolution; -1 off Linux or once the process is gone. Not counted: its children's time. {@link #byThread}
 * splits it by thread (the JVM gives each Java thread its name, cut to 15 characters, as its Linux name).
 */
final class ProcCpu {
    /** USER_HZ is 100 on every Linux this runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcCpu() {
    }

    static long nanos(long pid) {
        try {
            return cpu(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU nanoseconds of this process's children that ended and were waited for (cutime + cstime of
     * {@code /proc/self/stat}): around one child's run, what that child (and its own waited-for children) used.
     */
    static long endedChildrenNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long cpu(String stat) {
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    }

    /**
     * CPU nanoseconds of the live threads of {@code pid} by thread kind: the thread's name without its trailing
     * number ({@code ha-task-12} and {@code ha-task-3} are {@code ha-task}); empty when it cannot be read.
     */
    static Map<String, Long> byThread(long pid) {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    out.merge(kind(name), cpu(stat), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // The thread ended between the listing and the read: its time is lost to this profile only.
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }

    static String kind(String threadName) {
        String k = threadName.replaceAll("[-#:_ ]?\\d+$", "").replaceAll("-\\d+-", "-N-");
        return k.isEmpty() ? threadName : k;
    }

    /** The sum over {@code pids}, or -1 when one of them cannot be read. */
    static long nanos(long... pids) {
        long sum = 0;
        for (long pid : pids) {
            long n = nanos(pid);
            if (n < 0) {
                return -1;
            }
            sum += n;
        }
        return sum;
    }
}
