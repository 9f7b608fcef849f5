package io.ha.agent.supervisor;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM started by a test with the test's class path, its stdout and stderr lines collected (and echoed with a prefix,
 * so a failing test's report shows them), with waits on lines matching a pattern. Closing it kills the process and
 * everything it started.
 */
public final class WatchedProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private WatchedProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        pump(process.getInputStream(), "out");
        pump(process.getErrorStream(), "err");
    }

    /** Starts {@code java -cp <test class path> <mainClass> <args>}; {@code HA_*} variables are not inherited. */
    public static WatchedProcess startJava(String name, String mainClass, List<String> args, Map<String, String> env,
                                           Path workDir) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HA_"));
        pb.environment().putAll(env);
        return new WatchedProcess(name, pb.start());
    }

    private void pump(InputStream stream, String channel) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    System.out.println("[" + name + " " + channel + "] " + line);
                }
            } catch (IOException e) {
                // The process is gone.
            }
        }, name + "-" + channel);
        t.setDaemon(true);
        t.start();
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The first match of {@code pattern} in any line, if one was seen. */
    public Optional<Matcher> find(Pattern pattern) {
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Every match of {@code pattern}, in order. */
    public List<Matcher> findAll(Pattern pattern) {
        List<Matcher> all = new ArrayList<>();
        for (String line : lines) {
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
                .alias(name + " to print " + count + " line(s) matching " + pattern)
                .until(() -> findAll(pattern).size() >= count);
        return findAll(pattern);
    }

    public Matcher awaitLine(Pattern pattern, Duration timeout) {
        return awaitMatches(pattern, 1, timeout).get(0);
    }

    /** Waits for the exit; the exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " (pid " + pid() + ") did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** Sends a signal by name (TERM, KILL, STOP, CONT) with kill(1). */
    public static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " " + pid + " failed");
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> descendants = process.toHandle().descendants().toList();
        process.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
