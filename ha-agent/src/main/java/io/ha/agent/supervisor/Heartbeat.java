package io.ha.agent.supervisor;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The pipe protocol between a supervised agent and its supervisor: the agent writes one line
 * {@code @@HA-HEARTBEAT <epochMillis>} to its standard output every {@link #INTERVAL_MS} ms; the supervisor treats
 * any other line as ordinary output. A frozen JVM (SIGSTOP, a stop-the-world stall) stops the beats.
 */
public final class Heartbeat {
    public static final String PREFIX = "@@HA-HEARTBEAT ";
    public static final long INTERVAL_MS = 1000;
    /** Set by the supervisor in the child's environment. */
    public static final String ENV = "HA_SUPERVISED";

    private Heartbeat() {
    }

    /** True when this process runs under a supervisor. */
    public static boolean supervised() {
        return "1".equals(System.getenv(ENV));
    }

    /** Starts beating to {@code out} on a daemon thread; returns the executor to stop it. */
    public static ScheduledExecutorService start(PrintStream out) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ha-heartbeat");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            synchronized (out) {
                out.println(PREFIX + System.currentTimeMillis());
                out.flush();
            }
        }, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
        return timer;
    }

    /** Parses a heartbeat line; -1 when the line is not one. */
    public static long parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(line.substring(PREFIX.length()).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
