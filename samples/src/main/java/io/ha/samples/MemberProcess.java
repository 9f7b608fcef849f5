package io.ha.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link DemoMember} running in its own JVM, started with this JVM's java binary and class path. Its merged
 * stdout and stderr are forwarded line by line to the {@link Narrator} under the member's id.
 *
 * <p>Guarantee: after {@link #stop(Duration)} or {@link #kill()} has returned, the process is gone (SIGKILL is the last
 * resort of {@code stop}); both may be called any number of times, from any thread.
 */
final class MemberProcess {
    private static final Logger LOG = LoggerFactory.getLogger(MemberProcess.class);

    private final String id;
    private final Process process;
    private final Thread pump;
    private volatile boolean killed;

    private MemberProcess(String id, Process process, Thread pump) {
        this.id = id;
        this.process = process;
        this.pump = pump;
    }

    /** Starts {@code DemoMember --zk <connectString> --id <id>} in a new JVM. */
    static MemberProcess spawn(String id, String connectString, Narrator narrator) throws IOException {
        List<String> command = List.of(javaBinary(),
                // Small, quick-starting JVMs: three of them share the machine with the parent and ZooKeeper.
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // The member narrates its own elections; its INFO log lines would only repeat them.
                "-Dha.log.level=WARN",
                "-cp", System.getProperty("java.class.path"),
                DemoMember.class.getName(), "--zk", connectString, "--id", id);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread pump = new Thread(() -> forward(process, id, narrator), "output-" + id);
        pump.setDaemon(true);
        pump.start();
        return new MemberProcess(id, process, pump);
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static void forward(Process process, String id, Narrator narrator) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                narrator.forward(id, line);
            }
        } catch (IOException e) {
            LOG.warn("lost the output of {}: {}", id, e.toString());
        }
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
        return process.exitValue();
    }

    /** True once {@link #kill()} was called: its exit is the demo's doing, not a failure. */
    boolean wasKilled() {
        return killed;
    }

    /** SIGKILL: no shutdown hook runs, the ZooKeeper session is left to expire. Waits until the process is gone. */
    void kill() throws InterruptedException {
        killed = true;
        // Signals go through the ProcessHandle: Process.destroy*() also closes our end of the pipes at once, which
        // would cut off the last lines the member writes (and make the output thread fail on a closed stream).
        process.toHandle().destroyForcibly();
        process.waitFor();
        drainOutput();
    }

    /** SIGTERM without waiting, so that several members can leave at the same time; see {@link #stop}. */
    void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL without waiting: the last resort when there is no time left to wait. */
    void terminateForcibly() {
        process.toHandle().destroyForcibly();
    }

    /**
     * SIGTERM, so the member leaves the cluster through its shutdown hook; SIGKILL if it is still running after
     * {@code grace}.
     *
     * @return true when it stopped within the grace period
     */
    boolean stop(Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            drainOutput();
            return true;
        }
        process.toHandle().destroy();
        boolean stopped = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        if (!stopped) {
            LOG.warn("{} (pid {}) did not stop within {} ms of SIGTERM; sending SIGKILL", id, pid(), grace.toMillis());
            process.toHandle().destroyForcibly();
            process.waitFor();
        }
        drainOutput();
        return stopped;
    }

    /** Lets the last lines the process wrote reach the console before the demo goes on. */
    private void drainOutput() throws InterruptedException {
        pump.join(1000);
    }
}
