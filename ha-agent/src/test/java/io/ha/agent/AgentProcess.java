package io.ha.agent;

import io.ha.process.ChildProcess;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;

/**
 * A real agent (or other main class) in a child JVM ({@link ChildProcess}), started with this JVM's java and class
 * path: the tests' view of it, waiting for its {@link ReadyLine}, sending signals and calling its HTTP endpoint.
 * Closing it kills its process tree.
 */
public final class AgentProcess implements Closeable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Room for a chatty agent's whole log: failure messages show all of it. */
    private static final int KEEP_LINES = 20_000;

    private final ChildProcess process;
    private volatile ReadyLine ready;
    private volatile String readyText;

    private AgentProcess(ChildProcess process) {
        this.process = process;
    }

    /** Starts {@code io.ha.agent.AgentMain} with {@code args} in {@code workDir} and only {@code env} as HA_* vars. */
    public static AgentProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        return startMain(workDir, env, AgentMain.class.getName(), args);
    }

    public static AgentProcess startMain(Path workDir, Map<String, String> env, String mainClass, String... args)
            throws IOException {
        Files.createDirectories(workDir);
        // Small, quick-starting JVMs: tests run several at once on small machines.
        List<String> jvm = new ArrayList<>(List.of("-Xmx192m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xss512k", "-Dzookeeper.forceSync=no"));
        Path logback = Path.of("..", "conf", "logback.xml").toAbsolutePath().normalize();
        if (Files.exists(logback)) {
            jvm.add("-Dlogback.configurationFile=" + logback);
        }
        return new AgentProcess(ChildProcess.java(mainClass).name("agent").jvmOptions(jvm).args(args)
                .directory(workDir).dropInheritedEnv("HA_").env(env).keepLines(KEEP_LINES).start());
    }

    /** Waits for the READY line; fails with the agent's output when it ends first or is not ready in time. */
    public AgentProcess awaitReady(Duration timeout) throws Exception {
        try {
            Matcher m = process.awaitLine(ReadyLine.PATTERN, timeout);
            readyText = m.group();
            ready = ReadyLine.of(m);
        } catch (TimeoutException e) {
            throw new IllegalStateException("agent not READY within " + timeout + "; stdout:\n" + stdout()
                    + "\nstderr:\n" + stderr());
        } catch (EOFException e) {
            throw new IllegalStateException("agent ended before READY; stderr:\n" + stderr());
        }
        return this;
    }

    public String id() {
        return ready().id();
    }

    /** {@code host:port} from the READY line. */
    public String http() {
        return ready().http();
    }

    /** The READY line, once {@link #awaitReady} saw it. */
    public ReadyLine ready() {
        if (ready == null) {
            throw new IllegalStateException("awaitReady first");
        }
        return ready;
    }

    /** The text {@link ReadyLine#PATTERN} matched. */
    public String readyLine() {
        ready();
        return readyText;
    }

    public HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + http() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + http() + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM: the agent drains and deregisters. */
    public void terminate() {
        process.terminate();
    }

    /** SIGKILL (kill -9): no shutdown hook, no drain. */
    public void kill() {
        process.kill();
    }

    /** Waits for the exit code (and the last lines); fails when the process is still running after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.awaitExit(timeout).orElseThrow(() -> new IllegalStateException(
                "process still running after " + timeout + "; stderr:\n" + stderr()));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public String stdout() {
        return String.join("\n", process.stdout());
    }

    public String stderr() {
        return String.join("\n", process.stderr());
    }

    @Override
    public void close() {
        process.close();
    }
}
