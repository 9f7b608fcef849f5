package io.ha.agent.demo;

import io.ha.agent.ReadyLine;
import io.ha.agent.zk.ZkServerMain;
import io.ha.core.cluster.Credentials;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The processes of one demo run: a ZooKeeper server ({@code io.ha.agent.zk.ZkServerMain}) and the agents
 * ({@code io.ha.agent.AgentMain}), each a JVM of its own with a log file in the run's work directory. Every command
 * line of the run (the JVMs and the agents' task commands) carries the run's marker, the work directory's name, so
 * {@link #leftovers()} finds anything of this run still alive and nothing of anyone else's.
 *
 * <p>Guarantee: after {@link #stopAll} returns every process it started has exited or been sent SIGKILL, the agents
 * first (SIGTERM, a grace for their drain, then SIGKILL) and ZooKeeper last.
 */
final class DemoFleet {
    static final String CLUSTER = "ha-demo";
    /** Short enough that a killed agent's tasks move on within seconds, long enough for a busy 2-core machine. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    /** Task slots per agent: the run lasts 20-40 s with 100 tasks, and a killed agent has tasks to hand over. */
    static final int SLOTS_PER_AGENT = 2;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = DRAIN_TIMEOUT.plusSeconds(10);
    private static final Pattern ZK_READY = Pattern.compile(Pattern.quote(ZkServerMain.READY_PREFIX) + "(\\S+)");
    private static final int ZK_TICK_MS = 500;

    private final Path workDir;
    private final String marker;
    private final Path home;
    private final Path credentialsFile;
    private final Credentials credentials;
    private final List<DemoProcess> agents = new CopyOnWriteArrayList<>();
    private volatile DemoProcess zooKeeper;
    private boolean closed;

    private DemoFleet(Path workDir, Path home) throws IOException {
        this.workDir = workDir;
        this.marker = workDir.getFileName().toString();
        this.home = home;
        this.credentialsFile = workDir.resolve("zk-auth");
        this.credentials = DemoCredentials.create(credentialsFile);
    }

    /** A fleet with a fresh work directory; {@code home} (the HA home, or null) provides conf/logback.xml. */
    static DemoFleet create(Path home) throws IOException {
        return new DemoFleet(Files.createTempDirectory("ha-demo-"), home);
    }

    Path workDir() {
        return workDir;
    }

    /** The credentials of the demo's cluster: its agents create every node readable by them only. */
    Credentials credentials() {
        return credentials;
    }

    String marker() {
        return marker;
    }

    List<DemoProcess> agents() {
        return agents;
    }

    DemoProcess zooKeeper() {
        return zooKeeper;
    }

    /**
     * Starts ZooKeeper on a free port (it picks one itself) and returns its connect string once it serves. A server
     * that exits before it is ready (another process took the port between its pick and its bind) is started again,
     * up to three times.
     */
    String startZooKeeper(Duration timeout) throws Exception {
        List<String> args = List.of("--port", "0", "--data-dir", workDir.resolve("zk-data").toString(),
                "--tick-time", Integer.toString(ZK_TICK_MS));
        for (int attempt = 1; ; attempt++) {
            launch("zookeeper", "io.ha.agent.zk.ZkServerMain", args, logging("ha-zk"), ZK_READY, false);
            try {
                return zooKeeper.awaitReady(timeout).group(1);
            } catch (DemoFailure e) {
                if (attempt == 3 || zooKeeper.isAlive()) {
                    throw e;
                }
            }
        }
    }

    /** Starts agents {@code agent-1..n} at once, then waits for each one's READY line; returns their endpoints. */
    List<String> startAgents(int n, String connectString, Duration timeout) throws Exception {
        Path config = writeAgentConfig();
        for (int i = 1; i <= n; i++) {
            String id = "agent-" + i;
            launch(id, "io.ha.agent.AgentMain",
                    List.of("--config", config.toString(), "--zk", connectString, "--id", id, "--http-port", "0"),
                    logging(null), ReadyLine.PATTERN, true);
        }
        List<String> endpoints = new ArrayList<>();
        for (DemoProcess agent : agents) {
            endpoints.add(ReadyLine.of(agent.awaitReady(timeout)).http());
        }
        return endpoints;
    }

    /**
     * Starts a process and records it, unless {@link #stopAll} has begun: a Ctrl-C may stop the fleet while the main
     * thread is still starting it, and a process started after the stop would be left behind.
     */
    private synchronized void launch(String name, String mainClass, List<String> args, List<String> jvmOptions,
                                     Pattern ready, boolean agent) throws IOException, DemoFailure {
        if (closed) {
            throw new DemoFailure("stopping: " + name + " is not started");
        }
        DemoProcess p = DemoProcess.start(name, mainClass, args, Map.of(), workDir.resolve(name + ".log"), marker,
                jvmOptions, ready);
        if (agent) {
            agents.add(p);
        } else {
            zooKeeper = p;
        }
    }

    /** The demo's own configuration file, so neither conf/ha-agent.properties nor HA_* variables change the run. */
    private Path writeAgentConfig() throws IOException {
        Path file = workDir.resolve("agent.properties");
        Files.writeString(file, String.join("\n",
                "# Written by the demo (io.ha.agent.demo.TaskDemo) for its agents.",
                "cluster.name=" + CLUSTER,
                "session.timeout=" + SESSION_TIMEOUT.toSeconds() + "s",
                "connection.timeout=5s",
                "capacity=" + SLOTS_PER_AGENT,
                "exec.concurrency=" + SLOTS_PER_AGENT,
                "drain.timeout=" + DRAIN_TIMEOUT.toSeconds() + "s",
                "http.host=127.0.0.1",
                "plugins.dir=" + workDir.resolve("plugins"),
                "zk.auth.file=" + credentialsFile,
                "log.dir=" + workDir.resolve("logs"),
                ""), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * JVM options for the logging of a child: the HA home's conf/logback.xml (INFO event lines, into the child's log
     * file in the work directory) when there is one; else the class path's quiet default.
     */
    private List<String> logging(String logName) {
        List<String> options = new ArrayList<>(List.of("-Dha.log.dir=" + workDir.resolve("logs")));
        if (home != null) {
            options.add("-Dha.home=" + home);
            Path conf = home.resolve("conf/logback.xml");
            if (Files.isRegularFile(conf)) {
                options.add("-Dlogback.configurationFile=" + conf);
            }
        }
        if (logName != null) {
            options.add("-Dha.log.name=" + logName);
        }
        return options;
    }

    /**
     * Stops everything still running: SIGTERM to all agents at once (they drain in parallel), SIGKILL to any still
     * running after the grace, then ZooKeeper the same way. Returns one line per process for the console.
     */
    List<String> stopAll() {
        synchronized (this) {
            closed = true;
        }
        List<String> report = new ArrayList<>();
        List<DemoProcess> running = agents.stream().filter(DemoProcess::isAlive).toList();
        running.forEach(DemoProcess::terminate);
        for (DemoProcess agent : running) {
            report.add(stopOne(agent));
        }
        if (zooKeeper != null && zooKeeper.isAlive()) {
            report.add(stopOne(zooKeeper));
        }
        return report;
    }

    private static String stopOne(DemoProcess p) {
        try {
            int code = p.stop(STOP_GRACE);
            return code < 0 ? p.name() + " (pid " + p.pid() + ") did not stop within " + STOP_GRACE.toSeconds()
                    + " s of SIGTERM and was killed" : p.name() + " (pid " + p.pid() + ") exited with code " + code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            try {
                p.killTree();
            } catch (InterruptedException again) {
                Thread.currentThread().interrupt();
            }
            return p.name() + " (pid " + p.pid() + ") killed (interrupted while waiting)";
        }
    }

    /**
     * Processes of this run still alive, as {@code pgrep -fa <marker>} lists them (pid and command line); found through
     * /proc when pgrep is not installed. This JVM's own line is left out.
     */
    List<String> leftovers() {
        long self = ProcessHandle.current().pid();
        try {
            Process pgrep = new ProcessBuilder("pgrep", "-fa", marker).redirectErrorStream(true).start();
            List<String> lines;
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(pgrep.getInputStream(), StandardCharsets.UTF_8))) {
                lines = in.lines().toList();
            }
            pgrep.waitFor(10, TimeUnit.SECONDS);
            return lines.stream().filter(l -> !l.isBlank() && !l.startsWith(self + " ")
                    && !l.startsWith(pgrep.pid() + " ")).toList();
        } catch (IOException e) {
            return ProcessHandle.allProcesses()
                    .filter(p -> p.pid() != self && p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                    .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** SIGKILL to every leftover of this run (the last resort after {@link #stopAll}). */
    void killLeftovers() {
        long self = ProcessHandle.current().pid();
        ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self && p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    /** Removes the work directory (logs included); only after a successful run, so a failure's logs stay. */
    void deleteWorkDir() {
        try (Stream<Path> paths = Files.walk(workDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Leaves a temporary directory behind; nothing to stop the demo for.
        }
    }
}
