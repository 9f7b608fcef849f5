package io.ha.samples;

import io.ha.process.ChildProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One "machine" of a sample: a JVM of its own (a {@link ChildProcess}) started with this JVM's java binary and class
 * path. Its merged stdout and stderr are forwarded line by line to the {@link Narrator} under its id, and kept, so
 * that a sample can wait for a line it prints.
 *
 * <p>Guarantee: after {@link #stop(Duration)} or {@link #kill()} has returned, the process and the processes it
 * started are gone (SIGKILL is the last resort of {@code stop}); both may be called any number of times, from any
 * thread. Not guaranteed: that lines written in the last moments before a SIGKILL reach the console.
 */
public final class SampleProcess {
    private static final Logger LOG = LoggerFactory.getLogger(SampleProcess.class);
    /** A process sent SIGKILL is gone at once; the bound only keeps a broken system from hanging the sample. */
    private static final Duration EXIT_WAIT = Duration.ofMinutes(1);

    /**
     * Logging configuration by name: the samples' {@code logback.xml} comes first on the class path, ha-agent's jar
     * holds another, and logback warns at every start when it finds two: children are given the file by URL.
     */
    static final String LOGGING = "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile",
            String.valueOf(SampleProcess.class.getResource("/logback.xml")));

    private final String id;
    private final ChildProcess process;
    private volatile boolean killed;

    private SampleProcess(String id, ChildProcess process) {
        this.id = id;
        this.process = process;
    }

    /**
     * Starts {@code java <jvmOptions> -cp <this class path> <mainClass> <args>}. Small, quick-starting JVMs: several
     * share the machine with the sample and ZooKeeper.
     */
    static SampleProcess spawn(String id, String mainClass, List<String> jvmOptions, List<String> args,
                               Narrator narrator) throws IOException {
        List<String> options = new ArrayList<>(List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                LOGGING));
        // A run's marker goes to every JVM it starts, so that a leftover can be found by its command line.
        String marker = System.getProperty(SampleRun.MARKER_PROPERTY);
        if (marker != null && jvmOptions.stream().noneMatch(o -> o.startsWith("-D" + SampleRun.MARKER_PROPERTY))) {
            options.add("-D" + SampleRun.MARKER_PROPERTY + "=" + marker);
        }
        options.addAll(jvmOptions);
        ChildProcess process = ChildProcess.java(mainClass).name(id).jvmOptions(options).args(args)
                .mergeErrorIntoOutput().onLine((stream, line) -> narrator.forward(id, line))
                .start();
        return new SampleProcess(id, process);
    }

    public String id() {
        return id;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code; only meaningful once {@link #isAlive()} is false. */
    public int exitCode() {
        return process.exitCode().orElseThrow(() -> new IllegalStateException(id + " is still running"));
    }

    /** True once {@link #kill()} was called: its exit is the sample's doing, not a failure. */
    public boolean wasKilled() {
        return killed;
    }

    /** The lines it printed so far (the most recent ones when there were very many). */
    public List<String> lines() {
        return process.lines();
    }

    /**
     * Waits until the process prints a line matching {@code pattern} (lines printed before the call count too).
     *
     * @throws SampleFailure when it does not within {@code timeout}, or exits first
     */
    public Matcher awaitLine(String pattern, Duration timeout) throws InterruptedException, SampleFailure {
        try {
            return process.awaitLine(Pattern.compile(pattern), timeout);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SampleFailure(id + " did not print a line matching '" + pattern + "' within "
                    + timeout.toSeconds() + " s" + (isAlive() ? "" : " (it exited with code " + exitCode() + ")"));
        } catch (java.io.EOFException e) {
            throw new SampleFailure(id + " ended its output before printing a line matching '" + pattern + "'"
                    + (isAlive() ? "" : " (it exited with code " + exitCode() + ")"));
        }
    }

    /** Waits for the process to end by itself; empty when it did not within {@code timeout}. */
    public java.util.OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return process.awaitExit(timeout);
    }

    /**
     * SIGKILL ({@code kill -9}) of the process and its children: no shutdown hook runs, its ZooKeeper session is left
     * to expire. Waits until the process is gone.
     */
    public void kill() throws InterruptedException {
        killed = true;
        process.killTree();
        process.awaitExit(EXIT_WAIT);
    }

    /** SIGSTOP: the process freezes (a hung JVM, a long GC pause, a suspended VM) and sends nothing any more. */
    public void freeze() throws IOException, InterruptedException {
        process.suspend();
    }

    /** SIGCONT: a frozen process runs on, unaware of the time it lost. */
    public void thaw() throws IOException, InterruptedException {
        process.resume();
    }

    /** SIGTERM without waiting, so that several processes can leave at the same time; see {@link #stop}. */
    void terminate() {
        process.terminate();
    }

    /** SIGKILL of the tree without waiting: the last resort when there is no time left to wait. */
    void killNow() {
        killed = true;
        process.killTree();
    }

    /**
     * SIGTERM (a frozen process is thawed first, or it could not act on it), so the process leaves cleanly through
     * its shutdown hook; SIGKILL of its tree if it is still running after {@code grace}.
     *
     * @return true when it stopped within the grace period
     */
    boolean stop(Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            process.awaitExit(Duration.ZERO);
            return true;
        }
        try {
            process.resume();
        } catch (IOException e) {
            LOG.debug("SIGCONT to {} failed: {}", id, e.toString());
        }
        process.terminate();
        boolean stopped = process.awaitExit(grace).isPresent();
        if (!stopped) {
            LOG.warn("{} (pid {}) did not stop within {} ms of SIGTERM; sending SIGKILL", id, pid(), grace.toMillis());
            process.killTree();
            process.awaitExit(EXIT_WAIT);
        }
        return stopped;
    }

    @Override
    public String toString() {
        return id + " (pid " + pid() + ")";
    }
}
