package io.ha.agent.demo;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One process the demo starts (ZooKeeper or an agent): a JVM with this JVM's java binary and class path, its output
 * written to a log file of its own, its ready line watched for. The command line carries the demo's run marker, so
 * that a leftover process of this run can be found with {@code pgrep -f <marker>}.
 *
 * <p>Guarantee: after {@link #stop(Duration)} or {@link #killTree()} returns, the process has exited or been sent
 * SIGKILL; both may be called any number of times, from any thread.
 */
final class DemoProcess {
    private final String name;
    private final Process process;
    private final Path log;
    private final Pattern ready;
    private final CompletableFuture<Matcher> readyLine = new CompletableFuture<>();
    private final Thread reader;
    private volatile boolean killed;

    private DemoProcess(String name, Process process, Path log, Pattern ready) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.ready = ready;
        this.reader = new Thread(this::read, "demo-output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM. The environment loses every {@code HA_*} variable of
     * this one (a user's {@code HA_ZK_CONNECT} must not point the demo's agents elsewhere) and gains {@code env}.
     */
    static DemoProcess start(String name, String mainClass, List<String> args, Map<String, String> env,
                             Path log, String marker, List<String> jvmOptions, Pattern ready) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(),
                // Small, quick-starting JVMs: several share the machine with the demo.
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dha.demo.run=" + marker));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", absoluteClassPath(), mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .directory(log.getParent().toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("HA_"));
        builder.environment().putAll(env);
        return new DemoProcess(name, builder.start(), log, ready);
    }

    /** This JVM's class path with every entry absolute: the children run in the work directory. */
    static String absoluteClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> e.endsWith("*") ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + "/*"
                        : Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                     StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                Matcher m = ready.matcher(line);
                if (!readyLine.isDone() && m.find()) {
                    readyLine.complete(m);
                }
            }
        } catch (IOException e) {
            // The process was killed mid-line, or the log cannot be written: either way nothing more to read.
        } finally {
            readyLine.completeExceptionally(new IllegalStateException("output ended"));
        }
    }

    /**
     * Waits for the ready line and returns its match.
     *
     * @throws DemoFailure when the process exits first or is not ready in time, with the end of its log
     */
    Matcher awaitReady(Duration timeout) throws DemoFailure, InterruptedException {
        try {
            return readyLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new DemoFailure(name + " (pid " + pid() + ") was not ready within " + timeout.toSeconds()
                    + " s" + logTail());
        } catch (java.util.concurrent.ExecutionException e) {
            String how = process.isAlive() ? "closed its output" : "exited with code " + exitCode();
            throw new DemoFailure(name + " (pid " + pid() + ") " + how + " before it was ready" + logTail());
        }
    }

    String name() {
        return name;
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

    int exitCode() {
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    /**
     * SIGKILL to the process and to the processes it started (an agent's running task commands): a machine that
     * dies takes them all. Descendants are listed first, since once their parent is dead they cannot be found through
     * it. Returns how many descendants there were.
     */
    int killTree() throws InterruptedException {
        killed = true;
        List<ProcessHandle> descendants = process.toHandle().descendants().toList();
        // Signals go through the handle: Process.destroy*() would also close our end of the pipes at once.
        process.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
        return descendants.size();
    }

    /** SIGTERM without waiting, so that several processes can stop at the same time. */
    void terminate() {
        process.toHandle().destroy();
    }

    /**
     * SIGTERM, then SIGKILL to the tree when it is still running after {@code grace}.
     *
     * @return the exit code, or -1 when it had to be killed
     */
    int stop(Duration grace) throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree();
                return -1;
            }
        }
        reader.join(1000);
        return process.exitValue();
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
