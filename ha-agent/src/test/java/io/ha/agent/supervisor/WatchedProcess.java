package io.ha.agent.supervisor;

import static org.awaitility.Awaitility.await;

import io.ha.process.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM started by a test with the test's class path ({@link ChildProcess}), its stdout and stderr lines collected
 * and echoed with a prefix (so a failing test's report shows them), with waits on lines matching a pattern that fail
 * as assertions. Closing it kills the process and everything it started.
 */
public final class WatchedProcess implements AutoCloseable {
    /** Every line of a test's run: the waits below look back over all of them. */
    private static final int KEEP_LINES = 50_000;

    private final ChildProcess process;

    private WatchedProcess(ChildProcess process) {
        this.process = process;
    }

    /** Starts {@code java -cp <test class path> <mainClass> <args>}; {@code HA_*} variables are not inherited. */
    public static WatchedProcess startJava(String name, String mainClass, List<String> args, Map<String, String> env,
                                           Path workDir) throws IOException {
        return new WatchedProcess(ChildProcess.java(mainClass).name(name)
                .jvmOptions("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1").args(args)
                .directory(workDir).dropInheritedEnv("HA_").env(env).keepLines(KEEP_LINES)
                .onLine((stream, line) -> System.out.println("[" + name + " "
                        + (stream == ChildProcess.Stream.STDOUT ? "out" : "err") + "] " + line))
                .start());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> lines() {
        return process.lines();
    }

    /** The first match of {@code pattern} in any line, if one was seen. */
    public Optional<Matcher> find(Pattern pattern) {
        return process.find(pattern);
    }

    /** Every match of {@code pattern}, in order. */
    public List<Matcher> findAll(Pattern pattern) {
        List<Matcher> all = new ArrayList<>();
        for (String line : process.lines()) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                all.add(m);
            }
        }
        return all;
    }

    /** Waits until at least {@code count} lines match; returns the matches. */
    public List<Matcher> awaitMatches(Pattern pattern, int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                .alias(process.name() + " to print " + count + " line(s) matching " + pattern)
                .until(() -> findAll(pattern).size() >= count);
        return findAll(pattern);
    }

    public Matcher awaitLine(Pattern pattern, Duration timeout) {
        try {
            return process.awaitLine(pattern, timeout);
        } catch (Exception e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Waits for the exit; the exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.awaitExit(timeout).orElseThrow(() -> new AssertionError(
                process.name() + " (pid " + pid() + ") did not exit within " + timeout));
    }

    /** Sends a signal by name (TERM, KILL, STOP, CONT) with kill(1). */
    public static void signal(long pid, String signal) throws IOException, InterruptedException {
        ChildProcess.signal(pid, ChildProcess.Signal.valueOf(signal));
    }

    @Override
    public void close() {
        process.close();
    }
}
