package io.ha.agent.zk;

import io.ha.process.ChildProcess;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real ZooKeeper ensemble on this machine: {@code size} servers ({@link QuorumServerMain}), each a JVM of its own,
 * on loopback ports ({@link EnsembleLayout}), with fsync on. For trying what production runs and for breaking it:
 * kill -9 or stop one server and start it again, find and kill the leader, stop a majority (quorum lost) and start it
 * again.
 *
 * <p>Guarantee: every method that changes a server waits until its process has started or exited; the servers end
 * when this object is closed or the JVM that owns it ends in any way (they watch their standard input). The data
 * directories are kept (a later ensemble on the same directory and size finds its data). Not guaranteed: that a
 * started server serves; wait with {@link #awaitQuorum} or {@link #awaitLeader}. Not thread safe: one thread (the
 * test, the chaos loop) drives it.
 */
public final class LocalEnsemble implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEnsemble.class);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(20);

    private final EnsembleLayout layout;
    private final String classPath;
    private final List<String> jvmOptions;
    private final ChildProcess[] processes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalEnsemble(EnsembleLayout layout, String classPath, List<String> jvmOptions) {
        this.layout = layout;
        this.classPath = classPath;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.processes = new ChildProcess[layout.servers().size()];
    }

    /** A builder for an ensemble whose servers keep their data under {@code dir}. */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Where the servers listen and keep their data. */
    public EnsembleLayout layout() {
        return layout;
    }

    /** Every server's {@code 127.0.0.1:<port>}, comma-separated, for a client. */
    public String connectString() {
        return layout.connectString();
    }

    public int size() {
        return processes.length;
    }

    /** How many servers make a quorum. */
    public int majority() {
        return size() / 2 + 1;
    }

    /** True while server {@code id}'s process runs (it may still not serve). */
    public boolean isRunning(int id) {
        ChildProcess p = processes[index(id)];
        return p != null && p.isAlive();
    }

    /** The process id of server {@code id}, when it runs. */
    public OptionalLong pid(int id) {
        return isRunning(id) ? OptionalLong.of(processes[index(id)].pid()) : OptionalLong.empty();
    }

    /** What server {@code id} says it is now ({@link ServerProbe}). */
    public ServerProbe.Mode mode(int id) {
        return isRunning(id) ? ServerProbe.mode(layout.server(id).clientPort()) : ServerProbe.Mode.DOWN;
    }

    /** The id of the server that says it leads, if one does now. */
    public OptionalInt leader() {
        for (int id = 1; id <= size(); id++) {
            if (mode(id) == ServerProbe.Mode.LEADER) {
                return OptionalInt.of(id);
            }
        }
        return OptionalInt.empty();
    }

    /** Waits until a server leads; returns its id. */
    public int awaitLeader(Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            OptionalInt leader = leader();
            if (leader.isPresent()) {
                return leader.getAsInt();
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("no ZooKeeper leader within " + timeout + " (modes: " + modes() + ")");
            }
            Thread.sleep(100);
        }
    }

    /** Waits until a server leads and every running server serves (leader or follower). */
    public void awaitQuorum(Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!quorate()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the ensemble did not serve within " + timeout + " (modes: " + modes()
                        + ")");
            }
            Thread.sleep(100);
        }
    }

    private boolean quorate() {
        boolean leader = false;
        for (int id = 1; id <= size(); id++) {
            if (!isRunning(id)) {
                continue;
            }
            ServerProbe.Mode m = mode(id);
            if (m == ServerProbe.Mode.LEADER) {
                leader = true;
            } else if (m != ServerProbe.Mode.FOLLOWER && m != ServerProbe.Mode.OBSERVER) {
                return false;
            }
        }
        return leader;
    }

    /** Every server's mode, e.g. {@code [1=FOLLOWER, 2=LEADER, 3=DOWN]}, for messages. */
    public String modes() {
        List<String> modes = new ArrayList<>();
        for (int id = 1; id <= size(); id++) {
            modes.add(id + "=" + mode(id));
        }
        return modes.toString();
    }

    /** Starts server {@code id} unless it runs; waits for the process to start only. */
    public void start(int id) {
        checkOpen();
        if (isRunning(id)) {
            return;
        }
        EnsembleLayout.Server s = layout.server(id);
        try {
            ChildProcess p = ChildProcess.java(QuorumServerMain.class.getName()).name("zk-" + id)
                    .classPath(classPath).jvmOptions(jvmOptions).jvmOptions("-Dha.log.name=zk-server-" + id)
                    .args(s.configFile().toString())
                    .mergeErrorIntoOutput().appendOutputTo(layout.dir().resolve("server-" + id + ".log"))
                    .keepLines(200).start();
            processes[index(id)] = p;
            Files.writeString(pidFile(s), p.pid() + "\n", StandardCharsets.UTF_8);
            LOG.info("ZooKeeper server {} started (pid {}, {})", id, p.pid(), s.address());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ZooKeeper server " + id, e);
        }
    }

    /** Starts every server that does not run. */
    public void startAll() {
        for (int id = 1; id <= size(); id++) {
            start(id);
        }
    }

    /** kill -9 of server {@code id}, and waits for its exit; nothing when it does not run. */
    public void kill(int id) throws InterruptedException {
        ChildProcess p = processes[index(id)];
        if (p != null && p.isAlive()) {
            p.kill();
            p.awaitExit(EXIT_WAIT);
            LOG.info("ZooKeeper server {} killed", id);
        }
    }

    /** SIGTERM to server {@code id} (kill -9 after 20 s), and waits for its exit; nothing when it does not run. */
    public void stop(int id) throws InterruptedException {
        ChildProcess p = processes[index(id)];
        if (p != null && p.isAlive()) {
            p.stop(EXIT_WAIT);
            LOG.info("ZooKeeper server {} stopped", id);
        }
    }

    /** kill -9 of the server that leads now; returns its id, or empty when none leads. */
    public OptionalInt killLeader() throws InterruptedException {
        OptionalInt leader = leader();
        if (leader.isPresent()) {
            kill(leader.getAsInt());
        }
        return leader;
    }

    /**
     * Stops (SIGTERM) running servers, followers first, until fewer than a majority run: the ensemble serves no
     * client until {@link #startAll()}. Returns the ids stopped.
     */
    public List<Integer> loseQuorum() throws InterruptedException {
        List<Integer> order = new ArrayList<>();
        OptionalInt leader = leader();
        for (int id = 1; id <= size(); id++) {
            if (leader.isEmpty() || id != leader.getAsInt()) {
                order.add(id);
            }
        }
        leader.ifPresent(order::add);
        List<Integer> stopped = new ArrayList<>();
        for (int id : order) {
            if (running() < majority()) {
                break;
            }
            if (isRunning(id)) {
                stop(id);
                stopped.add(id);
            }
        }
        return stopped;
    }

    /** How many server processes run. */
    public int running() {
        int n = 0;
        for (int id = 1; id <= size(); id++) {
            n += isRunning(id) ? 1 : 0;
        }
        return n;
    }

    /** Kills every server (kill -9: nothing is lost, the log is fsynced) and waits for their exits. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ChildProcess p : processes) {
            if (p != null) {
                p.close();
            }
        }
        for (EnsembleLayout.Server s : layout.servers()) {
            try {
                Files.deleteIfExists(pidFile(s));
            } catch (IOException e) {
                LOG.debug("cannot remove {}: {}", pidFile(s), e.toString());
            }
        }
    }

    /** The file holding the pid of the server's running process ({@code bin/ha-zk --ensemble stop} reads it). */
    public static Path pidFile(EnsembleLayout.Server server) {
        return server.dataDir().resolve("server.pid");
    }

    private int index(int id) {
        layout.server(id);
        return id - 1;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the ensemble is closed");
        }
    }

    /** Configures and starts a {@link LocalEnsemble}. */
    public static final class Builder {
        private final Path dir;
        private int size = 3;
        private int tickTimeMs = 2000;
        private int firstClientPort;
        private String classPath = System.getProperty("java.class.path");
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx128m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xss512k"));

        private Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir");
            String logback = System.getProperty("logback.configurationFile");
            if (logback != null) {
                jvmOptions.add("-Dlogback.configurationFile=" + logback);
            }
        }

        /** How many servers (default 3). */
        public Builder size(int servers) {
            this.size = servers;
            return this;
        }

        /** ZooKeeper's tick (default 2 s): sessions last 2 to 20 ticks; elections take a few. */
        public Builder tickTime(Duration tick) {
            this.tickTimeMs = Math.toIntExact(tick.toMillis());
            return this;
        }

        /** Client ports from {@code port} on (see {@link EnsembleLayout#of}); default 0, free ports. */
        public Builder firstClientPort(int port) {
            this.firstClientPort = port;
            return this;
        }

        /** The servers' class path (needs ZooKeeper and HA's agent classes); default this JVM's. */
        public Builder classPath(String path) {
            this.classPath = Objects.requireNonNull(path, "path");
            return this;
        }

        /** More options for every server's JVM (after the small-heap defaults). */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        /**
         * Writes the configuration and starts every server; does not wait for them to serve. When a server cannot
         * be started, those started are killed.
         */
        public LocalEnsemble start() {
            EnsembleLayout layout = EnsembleLayout.of(dir, size, tickTimeMs, firstClientPort);
            layout.write();
            List<String> options = new ArrayList<>(jvmOptions);
            options.add("-Dha.log.dir=" + layout.dir().resolve("logs"));
            LocalEnsemble ensemble = new LocalEnsemble(layout, classPath, options);
            try {
                ensemble.startAll();
            } catch (RuntimeException e) {
                ensemble.close();
                throw e;
            }
            return ensemble;
        }
    }
}
