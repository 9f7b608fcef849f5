package io.ha.agent.bench;

import io.ha.agent.AgentMain;
import io.ha.agent.ReadyLine;
import io.ha.process.ChildProcess;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Real HA agents ({@code io.ha.agent.AgentMain}), each a JVM of its own, serving the benchmark's no-op task type
 * from a plug-in ({@link NoopPluginJar}), exec disabled, HTTP on a free loopback port. Guarantee: {@link #start}
 * returns once every agent printed its READY line (connected, registered, taking tasks), or fails with the end of
 * the output of the one that did not; {@link #close} stops them all (SIGTERM, drain, kill -9 after a grace), and so
 * does a shutdown hook when this JVM ends first. Not guaranteed: that they end when this JVM is killed with kill -9.
 */
final class AgentProcesses implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern ENDED = Pattern.compile(
            "^ha_tasks_ended_total\\{[^}]*state=\"(\\w+)\"[^}]*\\} (\\S+)$", Pattern.MULTILINE);
    private static final Pattern REASSIGNED = Pattern.compile("^ha_task_reassignments_total(?:\\{[^}]*\\})? (\\S+)$",
            Pattern.MULTILINE);

    private final List<ChildProcess> processes;
    private final List<ReadyLine> ready;
    private final Thread hook;

    private AgentProcesses(List<ChildProcess> processes, List<ReadyLine> ready) {
        this.processes = processes;
        this.ready = ready;
        this.hook = new Thread(() -> processes.forEach(ChildProcess::close), "bench-agents-hook");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts {@code count} agents {@code a1..aN} of {@code cluster} on {@code connectString}, each with
     * {@code concurrency} handler threads, working in {@code dir}, their JVMs given {@code jvmOptions} too.
     */
    static AgentProcesses start(String connectString, String cluster, int count, int concurrency, Path dir,
                                Duration sessionTimeout, List<String> jvmOptions) throws Exception {
        Path plugins = dir.resolve("plugins");
        NoopPluginJar.build(dir.resolve("plugin-build"), plugins, concurrency);
        List<ChildProcess> started = new ArrayList<>();
        try {
            for (int i = 1; i <= count; i++) {
                String id = "a" + i;
                Path work = Files.createDirectories(dir.resolve(id));
                started.add(ChildProcess.java(AgentMain.class.getName()).name("agent-" + id)
                        .classPath(absoluteClassPath())
                        // A production agent's JVM (bin/ha-agent sets no flags), with a bounded heap: seven JVMs
                        // share this machine.
                        .jvmOptions("-Xmx256m").jvmOptions(logback()).jvmOptions(jvmOptions)
                        .dropInheritedEnv("HA_").env(Map.of("HA_ZK_CONNECT", connectString, "HA_CLUSTER_NAME", cluster,
                                "HA_AGENT_ID", id, "HA_SESSION_TIMEOUT", sessionTimeout.toMillis() + "ms",
                                "HA_EXEC_ENABLED", "false", "HA_PLUGINS_DIR", plugins.toString(),
                                "HA_LOG_DIR", work.resolve("logs").toString(), "HA_HTTP_PORT", "0"))
                        .directory(work).mergeErrorIntoOutput().appendOutputTo(work.resolve("agent.log"))
                        .keepLines(200).start());
            }
            List<ReadyLine> lines = new ArrayList<>();
            for (ChildProcess p : started) {
                lines.add(awaitReady(p));
            }
            return new AgentProcesses(List.copyOf(started), List.copyOf(lines));
        } catch (Exception | Error e) {
            started.forEach(ChildProcess::close);
            throw e;
        }
    }

    private static ReadyLine awaitReady(ChildProcess p) throws Exception {
        try {
            Matcher m = p.awaitLine(ReadyLine.PATTERN, READY);
            return ReadyLine.of(m);
        } catch (TimeoutException | EOFException e) {
            throw new BenchException(p.name() + " (pid " + p.pid() + ") was not READY within " + READY.toSeconds()
                    + " s" + (p.isAlive() ? "" : " (it exited)") + "; its last lines:\n    "
                    + String.join("\n    ", p.lines()));
        }
    }

    private static List<String> logback() {
        String file = System.getProperty("logback.configurationFile");
        return file == null ? List.of() : List.of("-Dlogback.configurationFile=" + file);
    }

    /** This JVM's class path with every entry absolute: the agents run in their own directories. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> e.endsWith("*") ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + "/*"
                        : Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    List<String> ids() {
        return ready.stream().map(ReadyLine::id).toList();
    }

    long[] pids() {
        return processes.stream().mapToLong(ChildProcess::pid).toArray();
    }

    /** The pid of agent {@code id}, or -1. */
    long pid(String id) {
        for (int i = 0; i < ready.size(); i++) {
            if (ready.get(i).id().equals(id)) {
                return processes.get(i).pid();
            }
        }
        return -1;
    }

    /**
     * From every agent's {@code /metrics}: tasks ended SUCCEEDED, ended otherwise (FAILED, DEAD, CANCELLED) and
     * reassigned after an agent loss, summed over the agents.
     */
    long[] outcomes() throws IOException, InterruptedException {
        long succeeded = 0;
        long other = 0;
        long reassigned = 0;
        for (ReadyLine r : ready) {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + r.http() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = ENDED.matcher(text);
            while (m.find()) {
                long v = (long) Double.parseDouble(m.group(2));
                if (m.group(1).equals("SUCCEEDED")) {
                    succeeded += v;
                } else {
                    other += v;
                }
            }
            Matcher re = REASSIGNED.matcher(text);
            if (re.find()) {
                reassigned += (long) Double.parseDouble(re.group(1));
            }
        }
        return new long[] {succeeded, other, reassigned};
    }

    /** SIGTERM to all at once (they drain in parallel), then waits; kill -9 to any still running after the grace. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook kills them.
            return;
        }
        processes.forEach(ChildProcess::terminate);
        for (ChildProcess p : processes) {
            try {
                p.stop(STOP_GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                p.close();
            }
        }
    }
}
