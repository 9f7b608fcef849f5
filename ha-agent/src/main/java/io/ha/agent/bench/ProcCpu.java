package io.ha.agent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of other processes on this machine (the ZooKeeper servers and agents the benchmark started), read from
 * {@code /proc/<pid>/stat}. Guarantee: the sum of user and system time of the live process, in nanoseconds, at
 * 10 ms resolution; -1 off Linux or once the process is gone. Not counted: its children's time.
 */
final class ProcCpu {
    /** USER_HZ is 100 on every Linux this runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcCpu() {
    }

    static long nanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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
