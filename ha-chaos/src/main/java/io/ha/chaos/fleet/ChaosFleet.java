package io.ha.chaos.fleet;

import io.ha.agent.zk.LocalEnsemble;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of one chaos run: a real ZooKeeper ensemble ({@link LocalEnsemble}, each server a JVM), the agents
 * ({@link ChaosAgent}, each a JVM behind its own proxies), and an observer in this JVM (straight to the ensemble,
 * never partitioned) that submits tasks and reads outcomes.
 *
 * <p>Guarantee: {@link #close()} ends every process it started, agents first. Not guaranteed: that the agents stay
 * up between faults (the run checks and restarts them).
 */
public final class ChaosFleet implements Closeable {
    /** The cluster name of every chaos run. */
    public static final String CLUSTER = "chaos";
    private static final Logger LOG = LoggerFactory.getLogger(ChaosFleet.class);
    private static final Duration QUORUM = Duration.ofSeconds(60);
    /** Half a second: elections and session expiry in ticks (sessions of 1 to 10 s) stay quick. */
    private static final Duration TICK = Duration.ofMillis(500);

    private final Path runDir;
    private final Duration sessionTimeout;
    private final LocalEnsemble ensemble;
    private final List<ChaosAgent> agents = new ArrayList<>();
    private HaCluster observer;

    private ChaosFleet(Path runDir, Duration sessionTimeout, LocalEnsemble ensemble) {
        this.runDir = runDir;
        this.sessionTimeout = sessionTimeout;
        this.ensemble = ensemble;
    }

    /**
     * Starts a 3-server ensemble, waits for its quorum, connects the observer and starts {@code agents} agents (at
     * once, then waits for each one's READY line).
     */
    public static ChaosFleet start(Path runDir, int agents, Duration sessionTimeout, List<String> jvmOptions)
            throws Exception {
        LocalEnsemble ensemble = LocalEnsemble.builder(runDir.resolve("zk")).size(3).tickTime(TICK)
                .jvmOptions(jvmOptions).start();
        ChaosFleet fleet = new ChaosFleet(runDir, sessionTimeout, ensemble);
        try {
            ensemble.awaitQuorum(QUORUM);
            fleet.observer = HaCluster.builder().connectString(ensemble.connectString()).clusterName(CLUSTER)
                    .agentId("chaos-observer").role(ClusterRole.OBSERVER).sessionTimeout(Duration.ofSeconds(10))
                    .connectionTimeout(Duration.ofSeconds(10)).build().start();
            Path config = fleet.writeAgentConfig();
            List<Integer> ports = ensemble.layout().servers().stream().map(s -> s.clientPort()).toList();
            List<String> agentJvm = new ArrayList<>(List.of("-Xmx128m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-Xss512k", "-Dha.log.dir=" + runDir.resolve("logs")));
            agentJvm.addAll(jvmOptions);
            for (int i = 1; i <= agents; i++) {
                fleet.agents.add(ChaosAgent.create("agent-" + i, ports, runDir, config, agentJvm));
            }
            for (ChaosAgent a : fleet.agents) {
                a.launch();
            }
            for (ChaosAgent a : fleet.agents) {
                a.awaitReady();
            }
            return fleet;
        } catch (Exception | Error e) {
            fleet.close();
            throw e;
        }
    }

    private Path writeAgentConfig() throws IOException {
        Path file = runDir.resolve("agent.properties");
        Files.writeString(file, String.join("\n",
                "# Written by bin/ha-chaos for its agents (io.ha.chaos.agent.ChaosAgentMain).",
                "cluster.name=" + CLUSTER,
                "session.timeout=" + sessionTimeout.toMillis() + "ms",
                "connection.timeout=" + sessionTimeout.toMillis() + "ms",
                "capacity=3",
                "exec.enabled=false",
                "drain.timeout=5s",
                "http.host=127.0.0.1",
                "http.port=0",
                "plugins.dir=" + runDir.resolve("no-plugins"),
                "log.dir=" + runDir.resolve("logs"),
                ""), StandardCharsets.UTF_8);
        return file;
    }

    public LocalEnsemble ensemble() {
        return ensemble;
    }

    public HaCluster observer() {
        return observer;
    }

    public Path runDir() {
        return runDir;
    }

    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    public List<String> agentIds() {
        return agents.stream().map(ChaosAgent::id).toList();
    }

    ChaosAgent agent(String id) {
        return agents.stream().filter(a -> a.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no agent " + id));
    }

    /** Waits until the observer sees {@code id} registered ({@code alive}) or not; false when it did not in time. */
    public boolean awaitAlive(String id, boolean alive, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (observer.membership().isAlive(id) != alive) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Waits for the ensemble to serve again with every server running. */
    public void awaitWholeEnsemble() throws TimeoutException, InterruptedException {
        ensemble.startAll();
        ensemble.awaitQuorum(QUORUM);
    }

    /**
     * Brings every agent back: one whose process ended, or that is not registered within a session timeout and a
     * bit (it did not rejoin after a fault), is killed and started again once its old registration is gone. Returns
     * the ids restarted.
     */
    public List<String> reviveAll() throws Exception {
        List<String> restarted = new ArrayList<>();
        for (ChaosAgent a : agents) {
            if (a.isRunning() && awaitAlive(a.id(), true, sessionTimeout.multipliedBy(3))) {
                continue;
            }
            LOG.warn("agent {} is not up (process {}): restarting it", a.id(), a.isRunning() ? "running" : "ended");
            restart(a);
            restarted.add(a.id());
        }
        return restarted;
    }

    /** kill -9 of agent {@code id}'s process, waiting for its exit. */
    public void kill(String id) throws InterruptedException {
        agent(id).kill();
    }

    /** SIGSTOP of agent {@code id}'s process. */
    public void suspend(String id) throws IOException, InterruptedException {
        agent(id).suspend();
    }

    /** SIGCONT of agent {@code id}'s process. */
    public void resume(String id) throws IOException, InterruptedException {
        agent(id).resume();
    }

    /** SIGTERM (drain), kill -9 after {@code grace}; the exit code, or -1 when it had to be killed. */
    public int terminate(String id, Duration grace) throws InterruptedException {
        return agent(id).terminate(grace);
    }

    /** Cuts agent {@code id} off from every server (its proxies drop all bytes) until {@link #heal}. */
    public void partition(String id) {
        agent(id).partition();
    }

    public void heal(String id) {
        agent(id).heal();
    }

    /** Restarts agent {@code id} (see {@link #restart}). */
    public void restart(String id) throws Exception {
        restart(agent(id));
    }

    public boolean isRunning(String id) {
        return agent(id).isRunning();
    }

    /** How many agent processes were started in all, restarts included. */
    public int agentStarts() {
        return agents.stream().mapToInt(ChaosAgent::starts).sum();
    }

    /** kill -9 if it runs, then a new process once its old registration is gone. */
    void restart(ChaosAgent a) throws Exception {
        a.kill();
        if (!awaitAlive(a.id(), false, sessionTimeout.multipliedBy(5))) {
            throw new IOException("agent " + a.id() + " still registered " + sessionTimeout.multipliedBy(5)
                    + " after its process ended");
        }
        a.start();
    }

    @Override
    public void close() {
        for (ChaosAgent a : agents) {
            a.close();
        }
        if (observer != null) {
            observer.close();
        }
        ensemble.close();
    }
}
