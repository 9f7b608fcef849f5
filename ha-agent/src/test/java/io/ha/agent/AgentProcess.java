package io.ha.agent;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real agent (or other main class) in a child JVM, started with this JVM's java and class path: its stdout and
 * stderr are collected line by line, and helpers wait for the READY line, send signals and call its HTTP endpoint.
 */
public final class AgentProcess implements Closeable {
    private static final Pattern READY = Pattern.compile("HA-AGENT READY id=(\\S+) http=(\\S+) zk=(\\S+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Matcher> ready = new CompletableFuture<>();
    private volatile String id;
    private volatile String http;
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();

    private AgentProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), stdout, true);
        pump(process.getErrorStream(), stderr, false);
    }

    /** Starts {@code io.ha.agent.AgentMain} with {@code args} in {@code workDir} and only {@code env} as HA_* vars. */
    public static AgentProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        return startMain(workDir, env, "io.ha.agent.AgentMain", args);
    }

    public static AgentProcess startMain(Path workDir, Map<String, String> env, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        // Small, quick-starting JVMs: tests run several at once on small machines.
        cmd.addAll(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-Dzookeeper.forceSync=no"));
        Path logback = Path.of("..", "conf", "logback.xml").toAbsolutePath().normalize();
        if (Files.exists(logback)) {
            cmd.add("-Dlogback.configurationFile=" + logback);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Files.createDirectories(workDir);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HA_"));
        pb.environment().putAll(env);
        return new AgentProcess(pb.start());
    }

    private void pump(InputStream in, List<String> lines, boolean watchReady) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (watchReady) {
                        Matcher m = READY.matcher(line);
                        if (m.find()) {
                            id = m.group(1);
                            http = m.group(2);
                            ready.complete(m);
                        }
                    }
                }
            } catch (IOException e) {
                // The process ended.
            } finally {
                if (watchReady) {
                    ready.completeExceptionally(new IllegalStateException("agent ended before READY; stderr:\n"
                            + String.join("\n", stderr)));
                }
            }
        }, "agent-output");
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    /** Waits for the READY line; fails with the agent's stderr when it ends first. */
    public AgentProcess awaitReady(Duration timeout) throws Exception {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("agent not READY within " + timeout + "; stdout:\n"
                    + String.join("\n", stdout) + "\nstderr:\n" + String.join("\n", stderr));
        }
        return this;
    }

    public String id() {
        return id;
    }

    /** {@code host:port} from the READY line. */
    public String http() {
        return http;
    }

    public String readyLine() throws Exception {
        return ready.get().group(0);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + http + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + http + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM via the handle: {@link Process#destroy()} also closes our ends of its pipes (losing its last lines). */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL (kill -9): no shutdown hook, no drain. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the exit code; fails when the process is still running after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("process still running after " + timeout + "; stderr:\n"
                    + String.join("\n", stderr));
        }
        // The last lines may still be in the pipes: read them before anyone looks at the output.
        for (Thread t : pumps) {
            t.join(5000);
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public String stdout() {
        return String.join("\n", stdout);
    }

    public String stderr() {
        return String.join("\n", stderr);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
