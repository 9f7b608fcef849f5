package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.agent.cli.CtlMain;
import io.ha.agent.zk.Certificates;
import io.ha.core.ZooKeeperUnavailableException;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.HaClusterBuilder;
import io.ha.core.cluster.ZooKeeperTls;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to ZooKeeper end to end: {@code bin/ha-zk --tls} (ZkServerMain) serving only a secure port with certificates it
 * made with keytool, and clients (the builder, an agent process, ha-ctl) that trust its CA, or do not.
 */
@Timeout(120)
class ZooKeeperTlsTest {
    @TempDir
    static Path dir;

    private static AgentProcess zk;
    private static String connect;
    private static Certificates certs;

    @BeforeAll
    static void startTlsServer() throws Exception {
        Path data = dir.resolve("zk");
        zk = AgentProcess.startMain(dir.resolve("zk-work"), Map.of(), "io.ha.agent.zk.ZkServerMain",
                "--tls", "--port", "0", "--data-dir", data.toString(), "--tick-time", "500");
        Pattern ready = Pattern.compile("HA-ZK READY 127\\.0\\.0\\.1:(\\d+)");
        await().atMost(Duration.ofSeconds(60)).until(() -> ready.matcher(zk.stdout()).find() || !zk.isAlive());
        Matcher m = ready.matcher(zk.stdout());
        assertThat(m.find()).as("stdout: %s%nstderr: %s", zk.stdout(), zk.stderr()).isTrue();
        connect = "127.0.0.1:" + m.group(1);
        certs = new Certificates(data.resolve("tls"));
        assertThat(zk.stdout()).contains("TLS client port").contains("TLS certificates made in " + certs.dir())
                .contains("zk.tls.truststore=" + certs.trustStore());
    }

    @AfterAll
    static void stopServer() {
        if (zk != null) {
            zk.close();
        }
    }

    private static ZooKeeperTls clientTls() {
        return ZooKeeperTls.trusting(certs.trustStore(), certs.passwordFile())
                .withKeyStore(certs.clientKeyStore(), certs.passwordFile());
    }

    private static HaClusterBuilder client(String id) {
        // Without credentials under a root of their own: the credentialed agent refuses a world-open /ha.
        return HaCluster.builder().connectString(connect).rootPath("/no-credentials").clusterName("tls").agentId(id)
                .role(ClusterRole.OBSERVER)
                .sessionTimeout(Duration.ofSeconds(3)).connectionTimeout(Duration.ofSeconds(3));
    }

    @Test
    void aTlsClientSubmitsAndReadsATask() throws Exception {
        try (HaCluster c = client("tls-client").tls(clientTls()).build().start()) {
            String id = c.taskQueue().submit(io.ha.core.task.TaskSpec.builder("noop").payload("over TLS").build());
            assertThat(c.taskQueue().get(id)).get().extracting(TaskRecord::state).isEqualTo(TaskState.PENDING);
        }
    }

    @Test
    void aPlainClientToTheSecurePortFailsSayingTlsIsOff() {
        assertThatThrownBy(() -> client("plain").build().start().close())
                .isInstanceOf(ZooKeeperUnavailableException.class).hasMessageContaining(connect)
                .hasMessageContaining("TLS is off");
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() throws Exception {
        Certificates stranger = Certificates.create(dir.resolve("stranger"), "stranger");
        ZooKeeperTls untrustedClient = ZooKeeperTls.trusting(certs.trustStore(), certs.passwordFile())
                .withKeyStore(stranger.clientKeyStore(), stranger.passwordFile());
        assertThatThrownBy(() -> client("stranger").tls(untrustedClient).build().start().close())
                .isInstanceOf(ZooKeeperUnavailableException.class).hasMessageContaining("TLS is on");
        ZooKeeperTls distrustsServer = ZooKeeperTls.trusting(stranger.trustStore(), stranger.passwordFile())
                .withKeyStore(certs.clientKeyStore(), certs.passwordFile());
        assertThatThrownBy(() -> client("suspicious").tls(distrustsServer).build().start().close())
                .isInstanceOf(ZooKeeperUnavailableException.class).hasMessageContaining("TLS is on");
    }

    @Test
    void anAgentRunsExecTasksOverTlsAndHaCtlReadsTheClusterOverTls() throws Exception {
        TestCredentials credentials = TestCredentials.in(dir.resolve("agent-creds"));
        Map<String, String> env = new HashMap<>(Map.of(
                "HA_ZK_CONNECT", connect,
                "HA_CLUSTER_NAME", "tls-agents",
                "HA_AGENT_ID", "tls-agent",
                "HA_ZK_AUTH_FILE", credentials.file().toString(),
                "HA_SESSION_TIMEOUT", "4s",
                "HA_CONNECTION_TIMEOUT", "4s",
                "HA_LOG_DIR", dir.resolve("agent-logs").toString(),
                "HA_PLUGINS_DIR", dir.resolve("no-plugins").toString(),
                "HA_SECURITY_REQUIRE_TLS", "true"));
        env.putAll(Map.of(
                "HA_ZK_TLS_ENABLED", "true",
                "HA_ZK_TLS_TRUSTSTORE", certs.trustStore().toString(),
                "HA_ZK_TLS_TRUSTSTORE_PASSWORD_FILE", certs.passwordFile().toString(),
                "HA_ZK_TLS_KEYSTORE", certs.clientKeyStore().toString(),
                "HA_ZK_TLS_KEYSTORE_PASSWORD_FILE", certs.passwordFile().toString()));
        try (AgentProcess agent = AgentProcess.start(dir.resolve("agent-work"), env)) {
            agent.awaitReady(Duration.ofSeconds(60));
            assertThat(agent.stderr()).doesNotContain("without TLS");
            try (HaCluster observer = client("tls-observer").rootPath("/ha").clusterName("tls-agents").tls(clientTls())
                    .credentials(credentials.credentials()).build().start()) {
                String id = observer.taskQueue().submit(AgentTestBase.exec("echo over-tls", 20_000));
                TaskRecord done = observer.taskQueue().future(id).get(60, TimeUnit.SECONDS);
                assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
            }

            Map<String, String> ctlEnv = new HashMap<>(env);
            ctlEnv.remove("HA_AGENT_ID");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = CtlMain.execute(new String[] {"status", "--json"}, new PrintWriter(out), new PrintWriter(err),
                    new ByteArrayInputStream(new byte[0]), ctlEnv);
            assertThat(code).as("stderr: %s", err).isZero();
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString())
                    .get("agentsLive").asInt()).isEqualTo(1);

            Map<String, String> plainEnv = new HashMap<>(ctlEnv);
            plainEnv.keySet().removeIf(k -> k.startsWith("HA_ZK_TLS_"));
            StringWriter plainErr = new StringWriter();
            int plain = CtlMain.execute(new String[] {"status", "--connect-timeout", "2s"}, new PrintWriter(
                    new StringWriter()), new PrintWriter(plainErr), new ByteArrayInputStream(new byte[0]), plainEnv);
            assertThat(plain).isEqualTo(1);
            assertThat(plainErr.toString()).contains("TLS is off").contains("--zk-tls");
        }
    }
}
