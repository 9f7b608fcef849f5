package io.ha.agent.bench;

import io.ha.agent.AgentMain;
import io.ha.agent.ReadyLine;
import io.ha.process.ChildProcess;
import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real agent ({@code io.ha.agent.AgentMain}) in a JVM of its own, started by the benchmark with this JVM's java
 * and class path, small and quick-starting JVM options, its configuration in {@code HA_*} variables only, the exec
 * handler on and no credentials ({@code security.insecure=true}: the bench's own cluster on loopback, nothing else
 * connects to it). Keeps the time, on the benchmark's clock, at which each of its log lines that mark a step of a
 * failover arrived (elected, dispatcher started, an agent left), so that the section can say where the time went.
 * Closing it kills the process.
 */
final class BenchAgent implements AutoCloseable {
    /** Log lines of the agent (io.ha at INFO, conf/logback.xml) that mark the steps of a failover. */
    static final List<String> MARKERS = List.of(" ELECTED ", "dispatcher started for epoch", " LEFT ",
            "joined cluster");
    private static final Pattern SESSION = Pattern.compile("\\(session timeout (\\d+) ms\\)");

    /** One marked line and when it arrived, in epoch milliseconds of this JVM's clock. */
    record Mark(long at, String line) {
    }

    private final String id;
    private final ChildProcess process;
    private final List<Mark> marks;

    private BenchAgent(String id, ChildProcess process, List<Mark> marks) {
        this.id = id;
        this.process = process;
        this.marks = marks;
    }

    /** Starts the agent {@code id} of cluster {@code cluster} at {@code connect}; does not wait for it. */
    static BenchAgent start(String connect, String cluster, String id, Path workDir, Duration session,
                            int concurrency) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(id));
        Map<String, String> env = Map.ofEntries(
                Map.entry("HA_ZK_CONNECT", connect),
                Map.entry("HA_CLUSTER_NAME", cluster),
                Map.entry("HA_AGENT_ID", id),
                Map.entry("HA_SESSION_TIMEOUT", session.toMillis() + "ms"),
                Map.entry("HA_CONNECTION_TIMEOUT", Math.min(session.toMillis(), 3000) + "ms"),
                Map.entry("HA_EXEC_CONCURRENCY", Integer.toString(concurrency)),
                Map.entry("HA_EXEC_KILL_GRACE", "1s"),
                Map.entry("HA_DRAIN_TIMEOUT", "5s"),
                Map.entry("HA_SECURITY_INSECURE", "true"),
                Map.entry("HA_LOG_DIR", dir.resolve("logs").toString()),
                Map.entry("HA_PLUGINS_DIR", dir.resolve("no-plugins").toString()));
        List<String> jvm = new ArrayList<>(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xss512k"));
        // The agent's own logging configuration (io.ha at INFO) when the bench runs from an HA home: the lines the
        // failover steps are read from. Without it the figures are the same, only the steps are not reported.
        Path logback = Path.of("conf", "logback.xml").toAbsolutePath();
        if (Files.exists(logback)) {
            jvm.add("-Dlogback.configurationFile=" + logback);
        }
        List<Mark> marks = new CopyOnWriteArrayList<>();
        ChildProcess p = ChildProcess.java(AgentMain.class.getName()).name("bench-agent-" + id).jvmOptions(jvm)
                .directory(dir).dropInheritedEnv("HA_").env(env).keepLines(5_000)
                .onLine((stream, text) -> {
                    for (String m : MARKERS) {
                        if (text.contains(m)) {
                            marks.add(new Mark(System.currentTimeMillis(), text));
                            return;
                        }
                    }
                }).start();
        return new BenchAgent(id, p, marks);
    }

    /** Waits for the READY line; fails with the agent's last lines when it ends first or is late. */
    BenchAgent awaitReady(Duration timeout) throws Exception {
        try {
            ReadyLine ready = ReadyLine.of(process.awaitLine(ReadyLine.PATTERN, timeout));
            if (!ready.id().equals(id)) {
                throw new BenchException("agent " + id + " said it is " + ready.id());
            }
            return this;
        } catch (TimeoutException | EOFException e) {
            throw new BenchException("agent " + id + " not READY within " + timeout.toSeconds() + " s ("
                    + (process.isAlive() ? "still starting" : "ended") + "); its last lines:\n" + tail());
        }
    }

    String id() {
        return id;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no drain, the session left to expire. */
    void kill() {
        process.kill();
    }

    /** SIGTERM: the agent leaves the election, drains and deregisters. */
    void terminate() {
        process.terminate();
    }

    void awaitExit(Duration timeout) throws Exception {
        if (process.awaitExit(timeout).isEmpty()) {
            throw new BenchException("agent " + id + " still running " + timeout.toSeconds() + " s after it was "
                    + "told to stop; its last lines:\n" + tail());
        }
    }

    /** When the first marked line containing all of {@code texts} arrived at or after {@code since}, if one did. */
    OptionalLong markAfter(long since, String... texts) {
        return marks.stream().filter(m -> m.at() >= since && Arrays.stream(texts).allMatch(m.line()::contains))
                .mapToLong(Mark::at).min();
    }

    /** The session timeout the server granted, from the agent's "joined cluster" line, if it was seen. */
    OptionalLong grantedSessionMs() {
        for (Mark m : marks) {
            Matcher matcher = SESSION.matcher(m.line());
            if (m.line().contains("joined cluster") && matcher.find()) {
                return OptionalLong.of(Long.parseLong(matcher.group(1)));
            }
        }
        return OptionalLong.empty();
    }

    private String tail() {
        List<String> lines = process.lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    @Override
    public void close() {
        process.close();
    }
}
