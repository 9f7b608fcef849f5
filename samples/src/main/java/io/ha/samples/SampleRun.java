package io.ha.samples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.EmbeddedZooKeeper;
import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.HaClusterBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.ZooDefs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one run of a {@link Sample} works with: a ZooKeeper (embedded, or the one given with {@code --zk}, then
 * under a chroot of the run's own, {@code /ha-sample-<random>}, so that runs on a shared ensemble never meet), a
 * cluster named after the sample, digest credentials for it (a random secret in a 0600 file, so that nobody else on
 * the machine can join or submit), the processes and clients the sample starts, the {@link Narrator} and the
 * {@link Verdict}.
 *
 * <p>Guarantee: {@link #close()} stops every process and client made through this run (SIGTERM, then SIGKILL of the
 * process tree), removes the run's chroot from a given ZooKeeper and the run's files, and records in the verdict
 * whether any process marked as this run's was left running. Not guaranteed: cleanup of a run whose own JVM was killed
 * with SIGKILL (its children then exit by themselves, see {@link SampleNode#exitWithParent()}, but the chroot on a
 * given ZooKeeper stays).
 */
public final class SampleRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SampleRun.class);
    /** The system property that marks every JVM of a run, so that leftovers can be found by their command line. */
    static final String MARKER_PROPERTY = "ha.sample.run";
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration LEFTOVER_WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String sampleName;
    private final Narrator narrator;
    private final Verdict verdict = new Verdict();
    private final String marker;
    private final EmbeddedZooKeeper embedded;
    /** On a given ZooKeeper: a client outside the run's chroot, which made it and removes it. */
    private final CuratorFramework base;
    private final String chroot;
    private final String connectString;
    private final String clusterName;
    private final Credentials credentials;
    private final Path workDir;
    private final Path secretFile;
    private final List<SampleProcess> processes = new CopyOnWriteArrayList<>();
    private final List<HaCluster> clients = new CopyOnWriteArrayList<>();
    private volatile HaCluster observer;
    private boolean closed;

    private SampleRun(String sampleName, Narrator narrator, String marker, EmbeddedZooKeeper embedded, String zk,
                      Path workDir) throws Exception {
        this.sampleName = sampleName;
        this.narrator = narrator;
        this.marker = marker;
        this.embedded = embedded;
        this.workDir = workDir;
        this.clusterName = sampleName;
        SecureRandom rng = new SecureRandom();
        byte[] secret = new byte[24];
        rng.nextBytes(secret);
        this.credentials = new Credentials("sample", HexFormat.of().formatHex(secret));
        if (embedded != null) {
            this.base = null;
            this.chroot = null;
            this.connectString = embedded.connectString();
        } else {
            byte[] random = new byte[6];
            rng.nextBytes(random);
            this.chroot = "/ha-sample-" + HexFormat.of().formatHex(random);
            this.base = createChroot(zk, chroot, credentials);
            this.connectString = zk + chroot;
        }
        this.secretFile = workDir.resolve("cluster.secret");
        Files.createFile(secretFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secretFile, credentials.user() + ":" + credentials.password());
    }

    /**
     * Opens a run: starts an embedded ZooKeeper unless {@code zk} is given, creates the work directory and the
     * credentials, and connects an observer (which fails fast, naming the address, when ZooKeeper is unreachable).
     */
    static SampleRun open(String sampleName, String zk, String marker, Narrator narrator) throws Exception {
        Path workDir = Files.createTempDirectory("ha-sample-" + sampleName + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        EmbeddedZooKeeper embedded = zk == null ? EmbeddedZooKeeper.start() : null;
        SampleRun run;
        try {
            run = new SampleRun(sampleName, narrator, marker, embedded, zk, workDir);
        } catch (Exception e) {
            if (embedded != null) {
                embedded.close();
            }
            deleteTree(workDir);
            throw e;
        }
        narrator.say("ZooKeeper: %s at %s; cluster '%s' with digest credentials (secret in a 0600 file)",
                zk == null ? "embedded" : "given", run.connectString, run.clusterName);
        try {
            run.observer = run.join("sample-observer", b -> b.role(ClusterRole.OBSERVER));
        } catch (Exception e) {
            run.close();
            throw e;
        }
        return run;
    }

    public Narrator narrator() {
        return narrator;
    }

    public Verdict verdict() {
        return verdict;
    }

    /** Prints one line of the sample's narrative. */
    public void say(String format, Object... args) {
        narrator.say(format, args);
    }

    public String connectString() {
        return connectString;
    }

    public String clusterName() {
        return clusterName;
    }

    /** The cluster's credentials; every process of the run joins with them unless a sample says otherwise. */
    public Credentials credentials() {
        return credentials;
    }

    /**
     * The 0600 file holding the run's credentials as {@code user:password}, for tools that take such a file
     * ({@code ha-ctl --auth-file}); it lives in {@link #workDir()} and is deleted with it at the end of the run.
     */
    public Path secretFile() {
        return secretFile;
    }

    /** A private directory (0700) for the run's files, deleted at the end. */
    public Path workDir() {
        return workDir;
    }

    /** A client of the cluster in this JVM that neither registers nor leads: for watching and submitting. */
    public HaCluster observer() {
        return observer;
    }

    /**
     * Builds, starts and keeps (for {@link #close()}) a client of the run's cluster in this JVM, as {@code id}, with
     * the run's credentials and the samples' session timeout; {@code configure} may change anything (role, handlers).
     */
    public HaCluster join(String id, UnaryOperator<HaClusterBuilder> configure) throws Exception {
        HaClusterBuilder builder = HaCluster.builder().connectString(connectString).clusterName(clusterName)
                .agentId(id).credentials(credentials).sessionTimeout(SampleNode.SESSION_TIMEOUT)
                .connectionTimeout(SampleNode.CONNECTION_TIMEOUT);
        HaCluster cluster = configure.apply(builder).build();
        clients.add(cluster);
        return cluster.start();
    }

    /**
     * Starts a "machine": {@code main} in a JVM of its own, with the {@link SampleNode} arguments ({@code --zk},
     * {@code --cluster}, {@code --id}, {@code --secret-file}) before {@code args}.
     */
    public SampleProcess node(String id, Class<?> main, String... args) throws IOException {
        return node(id, main, true, args);
    }

    /** As {@link #node}, but without {@code --secret-file}: a process that does not know the cluster's secret. */
    public SampleProcess nodeWithoutCredentials(String id, Class<?> main, String... args) throws IOException {
        return node(id, main, false, args);
    }

    private SampleProcess node(String id, Class<?> main, boolean withCredentials, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--zk", connectString, "--cluster", clusterName, "--id", id));
        if (withCredentials) {
            all.addAll(List.of("--secret-file", secretFile.toString()));
        }
        Collections.addAll(all, args);
        return process(id, main.getName(), List.of(), all);
    }

    /** Starts any main class of the class path in a JVM of its own (the supervisor, {@code ha-ctl}), as given. */
    public SampleProcess process(String id, String mainClass, List<String> jvmOptions, List<String> args)
            throws IOException {
        List<String> options = new ArrayList<>(jvmOptions);
        // Marks the JVM as this run's; also quiets the framework's INFO lines: each process narrates for itself.
        options.add("-D" + MARKER_PROPERTY + "=" + marker);
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Dha.log.level="))) {
            options.add("-Dha.log.level=WARN");
        }
        SampleProcess process = SampleProcess.spawn(id, mainClass, options, args, narrator);
        processes.add(process);
        narrator.say("started %s as pid %d", id, process.pid());
        return process;
    }

    /**
     * Waits until {@code condition} holds, checking every 100 ms that no process of the run died unexpectedly.
     *
     * @throws SampleFailure naming {@code what} when it does not hold within {@code timeout}
     */
    public void await(String what, Duration timeout, BooleanSupplier condition)
            throws SampleFailure, InterruptedException {
        if (!within(timeout, condition)) {
            throw new SampleFailure("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }

    /**
     * As {@link #await}, but false when {@code condition} did not come within {@code timeout}, so that a check can
     * record it as not held.
     *
     * @throws SampleFailure only when a process of the run died unexpectedly meanwhile
     */
    public boolean within(Duration timeout, BooleanSupplier condition) throws SampleFailure, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            checkProcessesAlive();
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(POLL.toMillis());
        }
        return true;
    }

    /** A process that exits by itself (a bad class path, no connection) would otherwise look like a slow scenario. */
    public void checkProcessesAlive() throws SampleFailure {
        for (SampleProcess p : processes) {
            if (!p.isAlive() && !p.wasKilled() && p.exitCode() != 0) {
                throw new SampleFailure(p.id() + " (pid " + p.pid() + ") exited unexpectedly with code "
                        + p.exitCode() + "; its output is above");
            }
        }
    }

    /**
     * Stops everything the run started, then records the "no process left behind" check. Runs once: from
     * {@link SampleMain} on every exit path, and from its shutdown hook on Ctrl-C.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcesses();
        for (int i = clients.size() - 1; i >= 0; i--) {
            clients.get(i).close();
        }
        if (base != null) {
            deleteChroot();
            base.close();
        }
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                LOG.warn("stopping the embedded ZooKeeper failed: {}", e.toString());
            }
        }
        deleteTree(workDir);
        checkNoLeftovers();
    }

    private void stopProcesses() {
        List<SampleProcess> running = processes.stream().filter(SampleProcess::isAlive).toList();
        running.forEach(SampleProcess::terminate);
        for (SampleProcess p : running) {
            try {
                if (!p.stop(STOP_GRACE)) {
                    narrator.say("%s (pid %d) did not stop in time and was killed", p.id(), p.pid());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The run's chroot on a given ZooKeeper, readable and writable by the run's identity only. A chroot, not just a
     * cluster name: {@code /ha} made by one run's identity would be closed to the next run's.
     */
    private static CuratorFramework createChroot(String zk, String chroot, Credentials credentials) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk)
                .retryPolicy(new RetryOneTime(500)).connectionTimeoutMs((int) SampleNode.CONNECTION_TIMEOUT.toMillis())
                .authorization("digest", (credentials.user() + ":" + credentials.password()).getBytes(UTF_8))
                .build();
        client.start();
        try {
            if (!client.blockUntilConnected((int) SampleNode.CONNECTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("no ZooKeeper server answered at " + zk + " within "
                        + SampleNode.CONNECTION_TIMEOUT.toSeconds() + " s");
            }
            client.create().withACL(ZooDefs.Ids.CREATOR_ALL_ACL).forPath(chroot);
            return client;
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    /** On a given ZooKeeper the run's chroot is removed; ephemeral nodes of killed processes go with it. */
    private void deleteChroot() {
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                base.delete().deletingChildrenIfNeeded().forPath(chroot);
                return;
            } catch (org.apache.zookeeper.KeeperException.NoNodeException e) {
                return;
            } catch (Exception e) {
                LOG.debug("removing {} failed (attempt {}): {}", chroot, attempt, e.toString());
            }
        }
        narrator.say("could not remove %s from ZooKeeper; remove it by hand", chroot);
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.warn("removing {} failed: {}", dir, e.toString());
        }
    }

    private void checkNoLeftovers() {
        String option = "-D" + MARKER_PROPERTY + "=" + marker;
        long deadline = System.nanoTime() + LEFTOVER_WAIT.toNanos();
        List<ProcessHandle> left = marked(option);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = marked(option);
        }
        left.forEach(ProcessHandle::destroyForcibly);
        verdict.check("no process was left behind", left.isEmpty(), left.isEmpty()
                ? "%d process(es) started, all gone" : "still running (now killed): pids %s",
                left.isEmpty() ? processes.size() : left.stream().map(ProcessHandle::pid).toList());
    }

    private static List<ProcessHandle> marked(String option) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self && p.isAlive())
                .filter(p -> p.info().commandLine().map(c -> c.contains(option)).orElse(false))
                .toList();
    }

    @Override
    public String toString() {
        return "SampleRun[" + sampleName + ", cluster " + clusterName + " at " + connectString + "]";
    }
}
