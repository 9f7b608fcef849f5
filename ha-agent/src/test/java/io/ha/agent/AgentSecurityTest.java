package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.agent.cli.CtlMain;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #15: with the shipped defaults anyone who could reach ZooKeeper could run commands on every agent. Real agent
 * processes against a real server: exec without credentials is refused, insecure mode is loud, and an agent's cluster
 * cannot be read or given tasks by a client without its credentials.
 */
@Timeout(120)
class AgentSecurityTest extends AgentTestBase {
    /** The environment of {@link #startAgent} without any credentials. */
    private Map<String, String> withoutCredentials(String id, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("HA_ZK_CONNECT", server.getConnectString(),
                "HA_CLUSTER_NAME", "test", "HA_AGENT_ID", id, "HA_LOG_DIR", dir.resolve("logs").toString(),
                "HA_PLUGINS_DIR", dir.resolve("no-plugins").toString(),
                "HA_SESSION_TIMEOUT", SESSION.toMillis() + "ms",
                "HA_CONNECTION_TIMEOUT", CONNECTION.toMillis() + "ms"));
        env.putAll(extra);
        return env;
    }

    private static void assertRefused(AgentProcess agent, String... mentioned) throws Exception {
        assertThat(agent.awaitExit(EXIT)).as("exit code; stderr: %s", agent.stderr()).isEqualTo(2);
        assertThat(agent.stderr()).contains(mentioned).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(agent.stdout()).doesNotContain(ReadyLine.PREFIX);
    }

    @Test
    void execWithoutCredentialsDoesNotStartAndSaysHowToSetThem() throws Exception {
        try (AgentProcess agent = AgentProcess.start(dir.resolve("w1"), withoutCredentials("open", Map.of()))) {
            assertRefused(agent, "exec.enabled=true", "zk.auth.file", "HA_ZK_AUTH", "security.insecure=true",
                    server.getConnectString());
        }
    }

    @Test
    void embeddedZooKeeperWithoutCredentialsDoesNotStartEither() throws Exception {
        Map<String, String> env = withoutCredentials("solo", Map.of());
        env.remove("HA_ZK_CONNECT");
        try (AgentProcess agent = AgentProcess.start(dir.resolve("w2"), env)) {
            assertRefused(agent, "exec.enabled=true", "embedded server", "zk.auth.file", "security.insecure=true");
        }
    }

    @Test
    void insecureModeStartsWithoutCredentialsAndWarnsLoudly() throws Exception {
        AgentProcess agent = closeLater(AgentProcess.start(dir.resolve("w3"),
                withoutCredentials("careless", Map.of("HA_SECURITY_INSECURE", "true")))).awaitReady(READY);
        assertThat(agent.stderr()).contains("WARN").contains("INSECURE (security.insecure=true)");
        assertThat(Files.readString(dir.resolve("logs/ha-agent-careless.log"), StandardCharsets.UTF_8))
                .contains("INSECURE (security.insecure=true)");
        agent.terminate();
        assertThat(agent.awaitExit(EXIT)).isZero();
    }

    @Test
    void withCredentialsClientsWithoutThemCannotReadOrSubmitTasks() throws Exception {
        startAgent("guarded", Map.of()).awaitReady(READY);
        TaskQueue owner = observer().taskQueue();
        TaskRecord done = owner.await(owner.submit(exec("echo ok", 10_000)), WAIT);
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);

        // A raw ZooKeeper client, as an attacker would use: the cluster's nodes are creator-only.
        try (CuratorFramework raw = CuratorFrameworkFactory.newClient(server.getConnectString(),
                new RetryOneTime(100))) {
            raw.start();
            raw.blockUntilConnected();
            assertThatThrownBy(() -> raw.getChildren().forPath("/ha/test"))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> raw.create().forPath("/ha/test/intruder"))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
        // ha-ctl without credentials, and with the wrong ones: a one-line NoAuth error, no task.
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("HA_ZK_AUTH", "agents:guess"))) {
            Map<String, String> all = new HashMap<>(env);
            all.put("HA_ZK_CONNECT", server.getConnectString());
            all.put("HA_CLUSTER_NAME", "test");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = CtlMain.execute(new String[] {"submit", "--type", "exec", "--", "sh", "-c", "touch pwned"},
                    new PrintWriter(out), new PrintWriter(err), new ByteArrayInputStream(new byte[0]), all);
            assertThat(code).as("ha-ctl submit with %s: %s", env.keySet(), err).isEqualTo(1);
            assertThat(err.toString()).contains("NoAuth").doesNotContain("guess").doesNotContain("\tat ");
        }
        // A framework client without credentials, or with wrong ones, cannot submit either.
        for (Credentials wrong : new Credentials[] {null, Credentials.parse("agents:guess")}) {
            assertThatThrownBy(() -> {
                HaCluster intruder = member("intruder", b -> b.role(ClusterRole.OBSERVER).credentials(wrong));
                intruder.taskQueue().submit(exec("touch pwned", 10_000));
            }).hasStackTraceContaining("NoAuth");
        }
        assertThat(owner.counts().values().stream().mapToLong(Long::longValue).sum()).as("tasks").isEqualTo(1);
    }

    @Test
    void nonLoopbackConnectStringWarnsAndIsRefusedUnderRequireTls() throws Exception {
        String remote = "192.0.2.1:2181";
        String auth = credentials().file().toString();
        try (AgentProcess warned = AgentProcess.start(dir.resolve("w4"), withoutCredentials("far",
                Map.of("HA_ZK_CONNECT", remote, "HA_ZK_AUTH_FILE", auth, "HA_CONNECTION_TIMEOUT", "1s")));
             AgentProcess refused = AgentProcess.start(dir.resolve("w5"), withoutCredentials("strict",
                Map.of("HA_ZK_CONNECT", remote, "HA_ZK_AUTH_FILE", auth, "HA_SECURITY_REQUIRE_TLS", "true")))) {
            assertRefused(refused, "security.require-tls=true", "192.0.2.1", "zk.tls.enabled=true");
            // Not refused: it tries (that address answers nobody) and fails to connect, after the warning.
            assertThat(warned.awaitExit(EXIT)).as("stderr: %s", warned.stderr()).isEqualTo(1);
            assertThat(warned.stderr()).contains("WARN").contains("non-loopback host(s) 192.0.2.1")
                    .contains("security.require-tls=true");
        }
    }
}
