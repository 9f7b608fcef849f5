package io.ha.agent.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.agent.ReadyLine;
import io.ha.agent.TestCredentials;
import io.ha.agent.exec.ExecPayload;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.ZkTestBase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor as operators run it: {@code SupervisorMain} in its own JVM, supervising a real
 * {@code io.ha.agent.AgentMain} child against a real ZooKeeper server (one per class), watched by an OBSERVER.
 */
class SupervisorProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The agent's session: within the test server's 2-20 ticks of 250 ms. */
    private static final String SESSION = "4s";
    private static final Pattern STARTED = Pattern.compile("agent started, pid (\\d+)");
    private static final Pattern READY = ReadyLine.PATTERN;

    private static TestingServer server;
    /** One server for all tests, so one set of credentials: the first agent creates /ha readable by it only. */
    private static TestCredentials credentials;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server = ZkTestBase.newServer(0, null);
        credentials = TestCredentials.in(Files.createTempDirectory("ha-supervisor-test"));
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
        Files.deleteIfExists(credentials.file());
        Files.deleteIfExists(credentials.file().getParent());
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /**
     * {@code SupervisorMain <agent options> <options>} for agent {@code id} in cluster {@code id}; {@code options}
     * come last, so an agent {@code --set} among them wins over the defaults here.
     */
    private WatchedProcess supervise(String id, String zk, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("--zk", zk, "--id", id, "--cluster", id, "--http-port", "0",
                "--set", "session.timeout=" + SESSION, "--set", "connection.timeout=3s",
                "--set", "drain.timeout=20s", "--set", "capacity=2",
                "--set", "log.dir=" + dir.resolve("logs"), "--set", "plugins.dir=" + dir.resolve("plugins")));
        args.addAll(List.of(options));
        // The agent inherits the supervisor's environment, and with it this test's credentials.
        WatchedProcess p = WatchedProcess.startJava("supervisor-" + id, SupervisorMain.class.getName(), args,
                Map.of("HA_ZK_AUTH_FILE", credentials.file().toString()), dir);
        toClose.add(p);
        return p;
    }

    private HaCluster observer(String cluster) throws Exception {
        HaCluster c = HaCluster.builder().connectString(server.getConnectString()).clusterName(cluster)
                .agentId("observer").sessionTimeout(ZkTestBase.SESSION).connectionTimeout(ZkTestBase.CONNECTION)
                .role(ClusterRole.OBSERVER).credentials(credentials.credentials()).build().start();
        toClose.add(c);
        return c;
    }

    private static long startedPid(WatchedProcess supervisor, int nth) {
        return Long.parseLong(supervisor.awaitMatches(STARTED, nth, WAIT).get(nth - 1).group(1));
    }

    /** Waits until the observer sees {@code id} registered by process {@code pid}. */
    private static void awaitRegistered(HaCluster observer, String id, long pid) {
        await().atMost(WAIT).alias(id + " registered by pid " + pid).until(() -> {
            Optional<AgentInfo> info = observer.membership().get(id);
            return info.isPresent() && info.get().pid() == pid;
        });
    }

    /** Submits a task that runs for 3 s (one attempt allowed) and waits until it runs. */
    private static String startSleepingTask(HaCluster observer) throws Exception {
        ExecPayload sleep = new ExecPayload(List.of("sh", "-c", "sleep 3; echo drained"), Map.of(), null, 0);
        String id = observer.taskQueue().submit(TaskSpec.builder(ExecPayload.TYPE).payload(sleep.toJson())
                .maxAttempts(1).build());
        await().atMost(WAIT).until(() -> observer.taskQueue().get(id).orElseThrow().state() == TaskState.RUNNING);
        return id;
    }

    private static void assertSucceededInOneAttempt(HaCluster observer, String id) throws Exception {
        TaskRecord done = observer.taskQueue().get(id).orElseThrow();
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(1);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void restartsAHungAgentWhoseHeartbeatStalls() throws Exception {
        HaCluster observer = observer("stall");
        WatchedProcess supervisor = supervise("stall", server.getConnectString(), "--heartbeat-timeout", "3s",
                "--backoff-initial", "200ms");
        long first = startedPid(supervisor, 1);
        awaitRegistered(observer, "stall", first);

        // A frozen JVM: alive to the kernel, silent on the pipe.
        WatchedProcess.signal(first, "STOP");
        supervisor.awaitLine(Pattern.compile("agent pid " + first + " heartbeat stalled"), WAIT);
        long second = startedPid(supervisor, 2);
        assertThat(second).isNotEqualTo(first);
        await().atMost(WAIT).until(() -> !alive(first));
        // The new process registers once ZooKeeper has expired the frozen one's session.
        awaitRegistered(observer, "stall", second);
        assertThat(supervisor.find(Pattern.compile("restarting the agent in 200 ms \\(restart 1 of at most 5"))).isPresent();

        WatchedProcess.signal(supervisor.pid(), "TERM");
        assertThat(supervisor.awaitExit(WAIT)).isZero();
        assertThat(alive(second)).isFalse();
    }

    @Test
    void restartsAnAgentThatExitsAbnormallyWithGrowingBackoff() throws Exception {
        HaCluster observer = observer("crash");
        WatchedProcess supervisor = supervise("crash", server.getConnectString(), "--backoff-initial", "500ms");
        long first = startedPid(supervisor, 1);
        awaitRegistered(observer, "crash", first);

        WatchedProcess.signal(first, "KILL");
        supervisor.awaitLine(Pattern.compile("agent pid " + first + " exited with code 137"), WAIT);
        supervisor.awaitLine(Pattern.compile("restarting the agent in 500 ms \\(restart 1 of"), WAIT);
        long second = startedPid(supervisor, 2);

        WatchedProcess.signal(second, "KILL");
        supervisor.awaitLine(Pattern.compile("agent pid " + second + " exited with code 137"), WAIT);
        supervisor.awaitLine(Pattern.compile("restarting the agent in 1 s \\(restart 2 of"), WAIT);
        long third = startedPid(supervisor, 3);
        awaitRegistered(observer, "crash", third);
        assertThat(List.of(first, second, third)).doesNotHaveDuplicates();
        assertThat(supervisor.isAlive()).isTrue();
    }

    @Test
    void givesUpWithExitCode1WhenTheAgentCrashLoops() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        // Nothing listens there: every agent fails its start with exit code 1 after the connection timeout.
        WatchedProcess supervisor = supervise("loop", "127.0.0.1:" + closedPort, "--max-restarts", "2",
                "--backoff-initial", "100ms", "--set", "connection.timeout=1s");
        assertThat(supervisor.awaitExit(WAIT)).isEqualTo(1);
        assertThat(supervisor.findAll(STARTED)).hasSize(3);
        assertThat(supervisor.findAll(Pattern.compile("exited with code 1 after"))).hasSize(3);
        assertThat(supervisor.find(Pattern.compile("restarting the agent in 100 ms"))).isPresent();
        assertThat(supervisor.find(Pattern.compile("restarting the agent in 200 ms"))).isPresent();
        assertThat(supervisor.find(Pattern.compile(
                "giving up: the agent failed 3 times within 5 min \\(limit: 2 restarts per 5 min\\)"))).isPresent();
    }

    @Test
    void sigtermIsForwardedSoTheAgentDrainsAndBothExitZero() throws Exception {
        HaCluster observer = observer("drain");
        WatchedProcess supervisor = supervise("drain", server.getConnectString());
        long agent = startedPid(supervisor, 1);
        supervisor.awaitLine(READY, WAIT);
        awaitRegistered(observer, "drain", agent);

        String id = startSleepingTask(observer);

        WatchedProcess.signal(supervisor.pid(), "TERM");
        assertThat(supervisor.awaitExit(WAIT)).isZero();
        assertThat(supervisor.find(Pattern.compile("agent pid " + agent + " stopped with code 0"))).isPresent();
        assertThat(alive(agent)).isFalse();
        // The running task finished on the draining agent: its one attempt succeeded.
        assertSucceededInOneAttempt(observer, id);
        await().atMost(WAIT).until(() -> observer.membership().get("drain").isEmpty());
        assertThat(supervisor.findAll(STARTED)).hasSize(1);
    }

    /**
     * SIGKILL of the supervisor forwards nothing: the agent must notice by itself and stop as on SIGTERM, or a
     * supervisor started again would run a second agent of the same id beside the orphan.
     */
    @Test
    void anAgentWhoseSupervisorIsKilledDrainsAndExits() throws Exception {
        HaCluster observer = observer("orphan");
        WatchedProcess supervisor = supervise("orphan", server.getConnectString());
        long agent = startedPid(supervisor, 1);
        supervisor.awaitLine(READY, WAIT);
        awaitRegistered(observer, "orphan", agent);

        String id = startSleepingTask(observer);

        WatchedProcess.signal(supervisor.pid(), "KILL");
        assertThat(supervisor.awaitExit(WAIT)).isEqualTo(137);
        await().atMost(WAIT).alias("orphaned agent exits").until(() -> !alive(agent));
        // It drained: the running task's one attempt finished there, and the agent deregistered.
        assertSucceededInOneAttempt(observer, id);
        await().atMost(WAIT).until(() -> observer.membership().get("orphan").isEmpty());
        // Said on standard error, which the agent shares with its dead supervisor (and this test reads).
        assertThat(supervisor.find(Pattern.compile("ha-agent: supervisor \\(pid " + supervisor.pid()
                + "\\) is gone: stopping this agent"))).isPresent();
    }

    @Test
    void refusesABadCommandLineWithExitCode2() throws Exception {
        WatchedProcess supervisor = WatchedProcess.startJava("supervisor-usage", SupervisorMain.class.getName(),
                List.of("--heartbeat-timeout", "soon"), Map.of(), Files.createDirectories(dir));
        toClose.add(supervisor);
        assertThat(supervisor.awaitExit(WAIT)).isEqualTo(2);
        assertThat(supervisor.find(Pattern.compile("--heartbeat-timeout .*invalid duration 'soon'"))).isPresent();
        assertThat(supervisor.findAll(STARTED)).isEmpty();
    }
}
