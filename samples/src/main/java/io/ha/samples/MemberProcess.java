package io.ha.samples;

import io.ha.process.ChildProcess;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link DemoMember} running in its own JVM (a {@link ChildProcess}), started with this JVM's java binary and
 * class path. Its merged stdout and stderr are forwarded line by line to the {@link Narrator} under the member's id.
 *
 * <p>Guarantee: after {@link #stop(Duration)} or {@link #kill()} has returned, the process is gone (SIGKILL is the last
 * resort of {@code stop}); both may be called any number of times, from any thread. Not guaranteed: that a member's
 * lines written in its last moments before a SIGKILL reach the console.
 */
final class MemberProcess {
    private static final Logger LOG = LoggerFactory.getLogger(MemberProcess.class);
    /** A process sent SIGKILL is gone at once; the bound only keeps a broken system from hanging the demo forever. */
    private static final Duration EXIT_WAIT = Duration.ofMinutes(1);

    private final String id;
    private final ChildProcess process;
    private volatile boolean killed;

    private MemberProcess(String id, ChildProcess process) {
        this.id = id;
        this.process = process;
    }

    /** Starts {@code DemoMember --zk <connectString> --id <id>} in a new JVM. */
    static MemberProcess spawn(String id, String connectString, Narrator narrator) throws IOException {
        ChildProcess process = ChildProcess.java(DemoMember.class.getName()).name(id)
                // Small, quick-starting JVMs: three of them share the machine with the parent and ZooKeeper.
                .jvmOptions("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", SampleProcess.LOGGING,
                        // The member narrates its own elections; its INFO log lines would only repeat them.
                        "-Dha.log.level=WARN")
                .args("--zk", connectString, "--id", id)
                .mergeErrorIntoOutput().onLine((stream, line) -> narrator.forward(id, line))
                .start();
        return new MemberProcess(id, process);
    }

    String id() {
        return id;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code; only meaningful once {@link #isAlive()} is false. */
    int exitCode() {
        return process.exitCode().orElseThrow(() -> new IllegalStateException(id + " is still running"));
    }

    /** True once {@link #kill()} was called: its exit is the demo's doing, not a failure. */
    boolean wasKilled() {
        return killed;
    }

    /** SIGKILL: no shutdown hook runs, the ZooKeeper session is left to expire. Waits until the process is gone. */
    void kill() throws InterruptedException {
        killed = true;
        process.kill();
        // Also lets the last lines the process wrote reach the console before the demo goes on.
        process.awaitExit(EXIT_WAIT);
    }

    /** SIGTERM without waiting, so that several members can leave at the same time; see {@link #stop}. */
    void terminate() {
        process.terminate();
    }

    /** SIGKILL without waiting: the last resort when there is no time left to wait. */
    void terminateForcibly() {
        process.kill();
    }

    /**
     * SIGTERM, so the member leaves the cluster through its shutdown hook; SIGKILL if it is still running after
     * {@code grace}.
     *
     * @return true when it stopped within the grace period
     */
    boolean stop(Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            process.awaitExit(Duration.ZERO);
            return true;
        }
        process.terminate();
        boolean stopped = process.awaitExit(grace).isPresent();
        if (!stopped) {
            LOG.warn("{} (pid {}) did not stop within {} ms of SIGTERM; sending SIGKILL", id, pid(), grace.toMillis());
            process.kill();
            process.awaitExit(EXIT_WAIT);
        }
        return stopped;
    }
}
