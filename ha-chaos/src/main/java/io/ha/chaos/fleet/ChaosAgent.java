package io.ha.chaos.fleet;

import io.ha.agent.ReadyLine;
import io.ha.chaos.agent.ChaosAgentMain;
import io.ha.process.ChildProcess;
import io.ha.testkit.proxy.TcpProxy;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * One agent slot of the run: its id, the loopback proxies through which it reaches each ZooKeeper server (so it can
 * be partitioned: the machine has no other network), and the agent process of the moment ({@link ChaosAgentMain};
 * a restart starts a new process under the same id behind the same proxies).
 *
 * <p>Guarantee: every method that starts or ends the process waits until it did (READY line, exit). Not thread safe:
 * the run's fault thread drives it.
 */
final class ChaosAgent implements Closeable {
    private static final Duration READY = Duration.ofSeconds(60);

    private final String id;
    private final List<TcpProxy> proxies;
    private final Path runDir;
    private final Path configFile;
    private final List<String> jvmOptions;
    private ChildProcess process;
    private int starts;

    private ChaosAgent(String id, List<TcpProxy> proxies, Path runDir, Path configFile, List<String> jvmOptions) {
        this.id = id;
        this.proxies = proxies;
        this.runDir = runDir;
        this.configFile = configFile;
        this.jvmOptions = jvmOptions;
    }

    /** Opens one proxy per server port; starts nothing yet. */
    static ChaosAgent create(String id, List<Integer> serverPorts, Path runDir, Path configFile,
                             List<String> jvmOptions) throws IOException {
        List<TcpProxy> proxies = new ArrayList<>();
        for (int port : serverPorts) {
            proxies.add(new TcpProxy(port));
        }
        return new ChaosAgent(id, List.copyOf(proxies), runDir, configFile, List.copyOf(jvmOptions));
    }

    String id() {
        return id;
    }

    /** The agent's connect string: its own proxies. */
    String connectString() {
        return proxies.stream().map(TcpProxy::connectString).collect(Collectors.joining(","));
    }

    /** Starts the process (a new one each time) without waiting. */
    void launch() throws IOException {
        starts++;
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dha.log.name=" + id);
        process = ChildProcess.java(ChaosAgentMain.class.getName()).name(id).jvmOptions(options)
                .args(configFile.toString(), id, connectString(), runDir.toString())
                .mergeErrorIntoOutput().appendOutputTo(runDir.resolve(id + ".out")).keepLines(300).start();
    }

    /** Waits for the READY line of the process last launched. */
    void awaitReady() throws IOException, InterruptedException {
        try {
            process.awaitLine(ReadyLine.PATTERN, READY);
        } catch (TimeoutException | EOFException e) {
            throw new IOException("agent " + id + " (pid " + process.pid() + ") "
                    + (e instanceof EOFException ? "ended before READY" : "not READY within " + READY.toSeconds()
                    + " s") + "; last output:\n" + String.join("\n", tail()), e);
        }
    }

    /** Starts the process and waits for its READY line. */
    void start() throws IOException, InterruptedException {
        launch();
        awaitReady();
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    /** How many processes this slot started. */
    int starts() {
        return starts;
    }

    /** kill -9, and waits for the exit. */
    void kill() throws InterruptedException {
        if (isRunning()) {
            process.kill();
            process.awaitExit(Duration.ofSeconds(20));
        }
    }

    void suspend() throws IOException, InterruptedException {
        process.suspend();
    }

    void resume() throws IOException, InterruptedException {
        process.resume();
    }

    /** SIGTERM (the agent drains), kill -9 after {@code grace}; returns the exit code, -1 when it had to be killed. */
    int terminate(Duration grace) throws InterruptedException {
        return process.stop(grace).orElse(-1);
    }

    void partition() {
        proxies.forEach(TcpProxy::partition);
    }

    void heal() {
        proxies.forEach(TcpProxy::heal);
    }

    List<String> tail() {
        List<String> lines = process == null ? List.of() : process.lines();
        return lines.subList(Math.max(0, lines.size() - 40), lines.size());
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        for (TcpProxy p : proxies) {
            try {
                p.close();
            } catch (IOException e) {
                // A proxy's listener that does not close ends with this JVM.
            }
        }
    }
}
