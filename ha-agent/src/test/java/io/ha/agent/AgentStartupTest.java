package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real agent processes that must refuse to start (exit 2 for configuration, 1 for failure) or start alone. */
@Timeout(60)
class AgentStartupTest {
    private static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static void assertConfigError(AgentProcess agent, String... mentioned) throws Exception {
        assertThat(agent.awaitExit(EXIT)).as("exit code; stderr: %s", agent.stderr()).isEqualTo(2);
        assertThat(agent.stderr()).contains(mentioned).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(agent.stdout()).doesNotContain(ReadyLine.PREFIX);
    }

    @Test
    void refusesUnknownKeyInConfigFileWithExitCode2() throws Exception {
        Path conf = Files.writeString(dir.resolve("agent.properties"), "cluster.name=x\nsesion.timeout=5s\n");
        try (AgentProcess agent = AgentProcess.start(dir, Map.of(), "--config", conf.toString())) {
            assertConfigError(agent, "unknown config key 'sesion.timeout'", conf.toString());
        }
    }

    @Test
    void refusesBadDurationFromEnvironmentWithExitCode2() throws Exception {
        try (AgentProcess agent = AgentProcess.start(dir, Map.of("HA_DRAIN_TIMEOUT", "soon"))) {
            assertConfigError(agent, "'drain.timeout'", "HA_DRAIN_TIMEOUT", "'soon'", "500ms");
        }
    }

    @Test
    void refusesBadPortFlagWithExitCode2() throws Exception {
        try (AgentProcess agent = AgentProcess.start(dir, Map.of(), "--http-port", "65536")) {
            assertConfigError(agent, "'http.port'", "'65536'", "0-65535");
        }
    }

    @Test
    void refusesMissingConfigFileAndUnknownFlagWithExitCode2() throws Exception {
        try (AgentProcess missing = AgentProcess.start(dir, Map.of(), "--config", "nope.properties");
             AgentProcess flag = AgentProcess.start(dir, Map.of(), "--zk-connect", "x:1")) {
            assertConfigError(missing, "nope.properties", "does not exist");
            assertThat(flag.awaitExit(EXIT)).isEqualTo(2);
            assertThat(flag.stderr()).contains("--zk-connect");
        }
    }

    @Test
    void refusesSecretFileReadableByOthersAndPluginsDirWritableByOthersWithExitCode2() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "token-0123456789abcdef\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (AgentProcess secret = AgentProcess.start(dir, Map.of("HA_HTTP_TOKEN_FILE", token.toString()));
             // With credentials: without them the agent would stop at the exec check before loading plug-ins.
             AgentProcess plugin = AgentProcess.start(dir, Map.of("HA_PLUGINS_DIR", plugins.toString(),
                     "HA_LOG_DIR", dir.resolve("logs").toString(), "HA_ZK_AUTH", "ops:pw-0123456789"))) {
            assertConfigError(secret, "'http.token.file'", token.toString(), "0644, rw-r--r--");
            assertThat(secret.stderr()).doesNotContain("token-0123456789abcdef");
            assertConfigError(plugin, "plug-in directory " + plugins, "0777, rwxrwxrwx");
            // The agent got as far as starting its logging: the log directory it created is private.
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("logs"))))
                    .isEqualTo("rwx------");
        }
    }

    @Test
    void printConfigMasksSecrets() throws Exception {
        try (AgentProcess agent = AgentProcess.start(dir, Map.of("HA_ZK_AUTH", "ops:very-secret-pw",
                "HA_HTTP_TOKEN", "token-0123456789abcdef"), "--print-config", "--id", "printer")) {
            assertThat(agent.awaitExit(EXIT)).isZero();
            assertThat(agent.stdout()).contains("agent.id=printer").contains("user ops")
                    .doesNotContain("very-secret-pw").doesNotContain("token-0123456789abcdef");
        }
    }

    @Test
    void unreachableZooKeeperFailsWithExitCode1AfterTheConnectionTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (AgentProcess agent = AgentProcess.start(dir, Map.of("HA_CONNECTION_TIMEOUT", "1s",
                        "HA_ZK_AUTH_FILE", TestCredentials.in(dir).file().toString()),
                "--zk", "127.0.0.1:" + port, "--id", "lonely")) {
            assertThat(agent.awaitExit(EXIT)).isEqualTo(1);
            assertThat(agent.stderr()).contains("ha-agent: cannot start").contains("127.0.0.1:" + port);
        }
    }

    @Test
    void withoutConnectStringStartsEmbeddedZooKeeperLoudlyBeatsWhenSupervisedAndStopsWithExitCode0() throws Exception {
        try (AgentProcess agent = AgentProcess.start(dir, Map.of("HA_LOG_DIR", dir.resolve("logs").toString(),
                "HA_SUPERVISED", "1", "HA_ZK_AUTH_FILE", TestCredentials.in(dir).file().toString()),
                "--id", "solo")) {
            agent.awaitReady(Duration.ofSeconds(40));
            assertThat(agent.readyLine()).isEqualTo(agent.ready().line());
            assertThat(agent.ready().id()).isEqualTo("solo");
            assertThat(agent.ready().http()).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(agent.ready().zk()).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(agent.stderr()).contains("EMBEDDED").contains("NOT for production");
            assertThat(agent.get("/ready").statusCode()).isEqualTo(200);
            // Under a supervisor (HA_SUPERVISED=1) the agent beats on stdout.
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.stdout().contains("@@HA-HEARTBEAT "));

            agent.terminate();

            assertThat(agent.awaitExit(EXIT)).isZero();
            assertThat(Files.readString(dir.resolve("logs/ha-agent-solo.log"))).contains("agent solo stopped")
                    .contains("REGISTERED");
        }
    }
}
