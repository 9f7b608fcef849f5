package io.ha.agent.demo;

import io.ha.process.ChildProcess;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One process the demo starts (ZooKeeper or an agent): a {@link ChildProcess} JVM with this JVM's java binary and
 * class path, its output written to a log file of its own, its ready line watched for. The command line carries the
 * demo's run marker, so that a leftover process of this run can be found with {@code pgrep -f <marker>}.
 *
 * <p>Guarantee: after {@link #stop(Duration)} or {@link #killTree()} returns, the process has exited or been sent
 * SIGKILL; both may be called any number of times, from any thread. Not guaranteed: that the log holds the very last
 * lines of a process killed mid-write.
 */
final class DemoProcess {
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final ChildProcess process;
    private final Path log;
    private final Pattern ready;
    private volatile boolean killed;

    private DemoProcess(ChildProcess process, Path log, Pattern ready) {
        this.process = process;
        this.log = log;
        this.ready = ready;
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM. The environment loses every {@code HA_*} variable of
     * this one (a user's {@code HA_ZK_CONNECT} must not point the demo's agents elsewhere) and gains {@code env}.
     */
    static DemoProcess start(String name, String mainClass, List<String> args, Map<String, String> env,
                             Path log, String marker, List<String> jvmOptions, Pattern ready) throws IOException {
        ChildProcess process = ChildProcess.java(mainClass).name(name)
                // Small, quick-starting JVMs: several share the machine with the demo.
                .jvmOptions("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dha.demo.run=" + marker)
                .jvmOptions(jvmOptions).classPath(absoluteClassPath()).args(args)
                .dropInheritedEnv("HA_").env(env).directory(log.getParent())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).appendOutputTo(log)
                .start();
        return new DemoProcess(process, log, ready);
    }

    /** This JVM's class path with every entry absolute: the children run in the work directory. */
    static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> e.endsWith("*") ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + "/*"
                        : Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Waits for the ready line and returns its match.
     *
     * @throws DemoFailure when the process exits first or is not ready in time, with the end of its log
     */
    Matcher awaitReady(Duration timeout) throws DemoFailure, InterruptedException {
        try {
            return process.awaitLine(ready, timeout);
        } catch (TimeoutException e) {
            throw new DemoFailure(name() + " (pid " + pid() + ") was not ready within " + timeout.toSeconds()
                    + " s" + logTail());
        } catch (EOFException e) {
            String how = process.isAlive() ? "closed its output" : "exited with code " + exitCode();
            throw new DemoFailure(name() + " (pid " + pid() + ") " + how + " before it was ready" + logTail());
        }
    }

    String name() {
        return process.name();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** True once {@link #killTree()} was called: its exit is the demo's doing. */
    boolean wasKilled() {
        return killed;
    }

    /** The exit code, waiting up to 2 s for it; -1 while the process still runs. */
    int exitCode() {
        try {
            return process.awaitExit(Duration.ofSeconds(2)).orElse(-1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return process.exitCode().orElse(-1);
        }
    }

    /**
     * SIGKILL to the process and to the processes it started (an agent's running task commands): a machine that
     * dies takes them all. Returns how many descendants there were.
     */
    int killTree() throws InterruptedException {
        killed = true;
        int descendants = process.killTree();
        process.awaitExit(KILL_WAIT);
        return descendants;
    }

    /** SIGSTOP: the process freezes (it writes nothing to ZooKeeper) until {@link #thaw()} or a kill. */
    void freeze() throws IOException, InterruptedException {
        process.suspend();
    }

    /** SIGCONT to a process {@link #freeze()} froze. */
    void thaw() throws IOException, InterruptedException {
        process.resume();
    }

    /** SIGTERM without waiting, so that several processes can stop at the same time. */
    void terminate() {
        process.terminate();
    }

    /**
     * SIGTERM, then SIGKILL to the tree when it is still running after {@code grace}.
     *
     * @return the exit code, or -1 when it had to be killed
     */
    int stop(Duration grace) throws InterruptedException {
        OptionalInt code = process.stop(grace);
        if (code.isEmpty()) {
            killed = true;
        }
        return code.orElse(-1);
    }

    /** The last lines of the log, for an error message. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 15), lines.size());
            return tail.isEmpty() ? "; its log " + log + " is empty"
                    : "; last lines of " + log + ":\n    " + String.join("\n    ", tail);
        } catch (IOException e) {
            return "; its log " + log + " cannot be read: " + e.getMessage();
        }
    }
}
