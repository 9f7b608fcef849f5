package io.ha.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.cluster.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("agent.properties");
        Files.write(f, Arrays.asList(lines));
        return f;
    }

    private AgentConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        return new ConfigLoader(env, dir).load(file, file != null, flags);
    }

    @Test
    void rolesFileAndMaxAgentCapacityAreReadAndCheckedNamingTheKey() throws IOException {
        String agent = new Credentials("ops", "pw-1").digestId();
        String ci = new Credentials("ci", "pw-2").digestId();
        Files.writeString(dir.resolve("roles"), "# roles\nagent " + agent + "\nsubmitter " + ci + "  # the CI\n");
        AgentConfig c = load(file("zk.roles.file=roles", "zk.auth=ops:pw-1"), Map.of(), Map.of());
        assertThat(c.zkRoles().agents()).containsExactly(agent);
        assertThat(c.zkRoles().submitters()).containsExactly(ci);
        assertThat(c.maxAgentCapacity()).isEqualTo(1024);
        assertThat(c.toString()).contains("zk.roles=1 agents, 1 submitters, 0 readers").doesNotContain(agent);
        assertThat(load(null, Map.of(), Map.of()).zkRoles()).isNull();

        Files.writeString(dir.resolve("bad-roles"), "agent " + agent + "\nboss " + ci + "\n");
        assertThatThrownBy(() -> load(file("zk.roles.file=bad-roles", "zk.auth=ops:pw-1"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("zk.roles.file")
                .hasMessageContaining("line 2: unknown role 'boss'");
        assertThatThrownBy(() -> load(file("zk.roles.file=missing"), Map.of("HA_ZK_AUTH", "ops:pw-1"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read roles file");
        assertThatThrownBy(() -> load(file("zk.roles.file=roles"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("zk.roles.file needs ZooKeeper credentials");
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("cluster.max-agent-capacity", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.max-agent-capacity")
                .hasMessageContaining("1-1000000");
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("cluster.max-agent-capacity", "lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("1-1000000");
        assertThatThrownBy(() -> load(null, Map.of("HA_CAPACITY", "40"), Map.of("cluster.max-agent-capacity", "8")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("exceeds 'cluster.max-agent-capacity' (8)");
    }

    @Test
    void defaultsApplyWithoutFileEnvOrFlags() {
        AgentConfig c = new ConfigLoader(Map.of(), dir).load(dir.resolve("missing.properties"), false, Map.of());
        assertThat(c.zkConnect()).isNull();
        assertThat(c.embeddedZooKeeper()).isTrue();
        assertThat(c.clusterName()).isEqualTo("default");
        assertThat(c.agentId()).endsWith("-" + ProcessHandle.current().pid());
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.capacity()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.execConcurrency()).isEqualTo(c.capacity());
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.httpPort()).isZero();
        assertThat(c.httpToken()).isNull();
        assertThat(c.zkCredentials()).isNull();
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.execEnabled()).isTrue();
        assertThat(c.pluginsDir()).isEqualTo(dir.toAbsolutePath().resolve("plugins"));
        assertThat(c.logDir()).isEqualTo(dir.toAbsolutePath().resolve("logs"));
    }

    @Test
    void environmentOverridesFileAndFlagsOverrideEnvironment() throws IOException {
        Path f = file("zk.connect=file:2181", "cluster.name=from-file", "agent.id=file-id", "session.timeout=20s",
                "labels=a, b,,c", "http.port=1111");
        Map<String, String> env = Map.of("HA_CLUSTER_NAME", "from-env", "HA_AGENT_ID", "env-id",
                "HA_HTTP_PORT", "2222", "HA_SUPERVISED", "1", "PATH", "/bin");
        Map<String, String> flags = Map.of("agent.id", "flag-id");

        AgentConfig c = load(f, env, flags);

        assertThat(c.zkConnect()).isEqualTo("file:2181");
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.labels()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(c.clusterName()).isEqualTo("from-env");
        assertThat(c.httpPort()).isEqualTo(2222);
        assertThat(c.agentId()).isEqualTo("flag-id");
    }

    @Test
    void emptyValueMeansDefault() throws IOException {
        AgentConfig c = load(file("session.timeout=", "exec.concurrency="), Map.of("HA_CAPACITY", "3"), Map.of());
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.capacity()).isEqualTo(3);
        assertThat(c.execConcurrency()).isEqualTo(3);
    }

    @Test
    void unknownKeyInFileIsRefusedNamingKeyAndFile() throws IOException {
        Path f = file("zk.conect=localhost:2181");
        assertThatThrownBy(() -> load(f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key 'zk.conect'")
                .hasMessageContaining(f.toString())
                .hasMessageContaining("zk.connect");
    }

    @Test
    void unknownKeyOnCommandLineIsRefused() {
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("http.prot", "1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'http.prot'");
    }

    @Test
    void badDurationNamesKeyValueOriginAndWhatIsAllowed() {
        assertThatThrownBy(() -> load(null, Map.of("HA_SESSION_TIMEOUT", "15"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'session.timeout'")
                .hasMessageContaining("HA_SESSION_TIMEOUT")
                .hasMessageContaining("'15'")
                .hasMessageContaining("500ms");
    }

    @Test
    void badPortAndNumbersAreRefused() throws IOException {
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("http.port", "70000")))
                .hasMessageContaining("'http.port' (from command line): value '70000'")
                .hasMessageContaining("0-65535");
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("http.port", "eighty")))
                .hasMessageContaining("'http.port'").hasMessageContaining("'eighty'");
        assertThatThrownBy(() -> load(file("capacity=0"), Map.of(), Map.of()))
                .hasMessageContaining("'capacity'").hasMessageContaining("1-10000");
        assertThatThrownBy(() -> load(file("exec.enabled=yes"), Map.of(), Map.of()))
                .hasMessageContaining("'exec.enabled'").hasMessageContaining("true or false");
    }

    @Test
    void badConnectStringAndNamesAreRefused() {
        assertThatThrownBy(() -> load(null, Map.of("HA_ZK_CONNECT", "zk1:99999"), Map.of()))
                .hasMessageContaining("'zk.connect'").hasMessageContaining("zk1:99999");
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("agent.id", "a/b")))
                .hasMessageContaining("'agent.id'").hasMessageContaining("'a/b'");
    }

    @Test
    void connectionTimeoutMayNotExceedSessionTimeout() {
        assertThatThrownBy(() -> load(null, Map.of("HA_SESSION_TIMEOUT", "5s", "HA_CONNECTION_TIMEOUT", "6s"),
                Map.of())).hasMessageContaining("connection.timeout").hasMessageContaining("session.timeout");
    }

    @Test
    void credentialsFromEnvironmentNeverShowInErrorsOrToString() {
        AgentConfig c = load(null, Map.of("HA_ZK_AUTH", "admin:s3cr3t-pw"), Map.of());
        assertThat(c.zkCredentials().user()).isEqualTo("admin");
        assertThat(c.zkCredentials().password()).isEqualTo("s3cr3t-pw");
        assertThat(c.toString()).doesNotContain("s3cr3t-pw").contains("admin");

        assertThatThrownBy(() -> load(null, Map.of("HA_ZK_AUTH", "no-colon-s3cr3t"), Map.of()))
                .hasMessageContaining("'zk.auth'").hasMessageContaining("user:password")
                .message().doesNotContain("no-colon-s3cr3t");
    }

    @Test
    void secretsFromFilesAndRefusedOnTheCommandLine() throws IOException {
        Path auth = ownerOnly(Files.writeString(dir.resolve("zk.auth"), "svc:file-pw\n"));
        Path token = ownerOnly(Files.writeString(dir.resolve("token"), "  0123456789abcdef-token\n"));
        AgentConfig c = load(file("zk.auth.file=zk.auth", "http.token.file=" + token), Map.of(), Map.of());
        assertThat(c.zkCredentials().password()).isEqualTo("file-pw");
        assertThat(c.httpToken().value()).isEqualTo("0123456789abcdef-token");
        assertThat(c.toString()).doesNotContain("file-pw").doesNotContain("0123456789abcdef-token");

        assertThatThrownBy(() -> load(null, Map.of(), Map.of("http.token", "0123456789abcdef-token")))
                .hasMessageContaining("'http.token'").hasMessageContaining("HA_HTTP_TOKEN")
                .message().doesNotContain("0123456789abcdef-token");
        assertThatThrownBy(() -> load(null, Map.of("HA_HTTP_TOKEN", "short"), Map.of()))
                .hasMessageContaining("'http.token'").hasMessageContaining("16").message().doesNotContain("short'");
        assertThatThrownBy(() -> load(null, Map.of("HA_ZK_AUTH", "a:b", "HA_ZK_AUTH_FILE", "x"), Map.of()))
                .hasMessageContaining("only one of 'zk.auth'");
        assertThatThrownBy(() -> load(null, Map.of("HA_HTTP_TOKEN_FILE", "missing"), Map.of()))
                .hasMessageContaining("'http.token.file'").hasMessageContaining("cannot be read");
    }

    @Test
    void consoleTokenFromAFileOrTheEnvironmentAndConsoleHostsAreReadAndChecked() throws IOException {
        Path token = ownerOnly(Files.writeString(dir.resolve("console-token"), "console-token-0123456789\n"));
        AgentConfig c = load(file("http.console.token.file=" + token, "http.console.hosts=ha.example, 10.0.0.5"),
                Map.of(), Map.of());
        assertThat(c.consoleToken().value()).isEqualTo("console-token-0123456789");
        assertThat(c.consoleHosts()).containsExactly("ha.example", "10.0.0.5");
        assertThat(c.toString()).doesNotContain("console-token-0123456789").contains("http.console.token=****");
        assertThat(load(null, Map.of("HA_HTTP_CONSOLE_TOKEN", "console-token-from-env"), Map.of()).consoleToken()
                .value()).isEqualTo("console-token-from-env");
        assertThat(load(null, Map.of(), Map.of()).consoleToken()).isNull();

        assertThatThrownBy(() -> load(null, Map.of("HA_HTTP_CONSOLE_TOKEN", "short"), Map.of()))
                .hasMessageContaining("'http.console.token'").hasMessageContaining("16");
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("http.console.token", "console-token-0123456789")))
                .hasMessageContaining("'http.console.token'").message().doesNotContain("console-token-0123456789");
        assertThatThrownBy(() -> load(null, Map.of("HA_HTTP_CONSOLE_TOKEN", "console-token-from-env",
                "HA_HTTP_CONSOLE_TOKEN_FILE", token.toString()), Map.of()))
                .hasMessageContaining("only one of 'http.console.token'");
        assertThatThrownBy(() -> load(null, Map.of("HA_HTTP_CONSOLE_HOSTS", "ha.example:8080"), Map.of()))
                .hasMessageContaining("'http.console.hosts'").hasMessageContaining("without ports");
    }

    @Test
    void secretFileReadableByOthersIsRefusedNamingTheFileAndItsMode() throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "0123456789abcdef-token\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> load(null, Map.of("HA_HTTP_TOKEN_FILE", token.toString()), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'http.token.file'").hasMessageContaining(token.toString())
                .hasMessageContaining("0644").hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600")
                .message().doesNotContain("0123456789abcdef-token");

        Path auth = Files.writeString(dir.resolve("zk.auth"), "svc:file-pw\n");
        Files.setPosixFilePermissions(auth, PosixFilePermissions.fromString("rw-rw----"));
        assertThatThrownBy(() -> load(null, Map.of("HA_ZK_AUTH_FILE", auth.toString()), Map.of()))
                .hasMessageContaining("'zk.auth.file'").hasMessageContaining(auth.toString())
                .hasMessageContaining("0660").message().doesNotContain("file-pw");

        ownerOnly(auth);
        assertThat(load(null, Map.of("HA_ZK_AUTH_FILE", auth.toString()), Map.of()).zkCredentials().user())
                .isEqualTo("svc");
    }

    private static Path ownerOnly(Path file) throws IOException {
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void execSecurityKeysAreReadTogetherAndResolvedAgainstTheBase() throws IOException {
        AgentConfig none = load(null, Map.of(), Map.of());
        assertThat(none.exec()).isEqualTo(ExecSecurity.NONE);
        AgentConfig c = load(file("exec.secrets.dir=secrets", "exec.secret.key.file=/etc/ha/cluster.key"),
                Map.of("HA_EXEC_USER", "nobody"), Map.of());
        assertThat(c.exec().secretsDir()).isEqualTo(dir.toAbsolutePath().resolve("secrets"));
        assertThat(c.exec().secretKeyFile()).isEqualTo(Path.of("/etc/ha/cluster.key"));
        assertThat(c.exec().user()).isEqualTo("nobody");
        assertThat(c.toString()).contains("exec.user=nobody", "exec.secret.key.file=/etc/ha/cluster.key");
        assertThatThrownBy(() -> load(null, Map.of("HA_EXEC_USER", "bad user;rm"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("exec.user")
                .hasMessageContaining("HA_EXEC_USER").hasMessageContaining("account name");
    }

    @Test
    void envNamesFollowTheKeys() {
        assertThat(ConfigKey.ZK_CONNECT.envName()).isEqualTo("HA_ZK_CONNECT");
        assertThat(ConfigKey.HTTP_TOKEN_FILE.envName()).isEqualTo("HA_HTTP_TOKEN_FILE");
        assertThat(ConfigKey.ZK_AUTH.envName()).isEqualTo("HA_ZK_AUTH");
    }

    @Test
    void shippedPropertiesFileDocumentsEveryKeyWithItsDefault() throws IOException {
        Path shipped = Path.of("..", "conf", "ha-agent.properties").toAbsolutePath();
        String text = Files.readString(shipped);
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^#([a-z.-]+)=(.*)$").matcher(text);
        while (m.find()) {
            documented.put(m.group(1), m.group(2));
        }
        for (ConfigKey key : ConfigKey.values()) {
            assertThat(documented).as("conf/ha-agent.properties documents %s", key.key())
                    .containsEntry(key.key(), key.defaultValue());
        }
        assertThat(documented.keySet()).allSatisfy(k -> assertThat(ConfigKey.byKey(k)).isPresent());
        // The shipped file loads as is.
        assertThat(new ConfigLoader(Map.of(), dir).load(shipped, true, Map.of()).labels()).isEqualTo(Set.of());
    }

    @Test
    void durationsInEveryFormOfTheOneGrammar() {
        AgentConfig c = load(null, Map.of("HA_SESSION_TIMEOUT", "15 s"),
                Map.of("drain.timeout", "1m30s", "exec.kill.grace", "1.5s"));
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.execKillGrace()).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("drain.timeout", "PT15S")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'drain.timeout'")
                .hasMessageContaining("'PT15S'").hasMessageContaining(Durations.ALLOWED);
    }

    @Test
    void tlsKeysGoTogetherAndTheirPasswordFilesMustBePrivate() throws IOException {
        Path trust = Files.writeString(dir.resolve("trust.p12"), "store");
        Path password = Files.writeString(dir.resolve("trust.pw"), "pw");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> remote = Map.of("HA_ZK_CONNECT", "zk1:2181");
        assertThatThrownBy(() -> load(null, remote, Map.of("zk.tls.truststore", trust.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'zk.tls.truststore'")
                .hasMessageContaining("zk.tls.enabled is not true");
        assertThatThrownBy(() -> load(null, remote, Map.of("zk.tls.enabled", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("zk.tls.truststore.password.file");
        Map<String, String> tls = Map.of("zk.tls.enabled", "true", "zk.tls.truststore", trust.toString(),
                "zk.tls.truststore.password.file", password.toString());
        AgentConfig c = load(null, remote, tls);
        assertThat(c.zkTls().trustStore()).isEqualTo(trust);
        assertThat(c.zkTls().keyStore()).isNull();
        assertThat(c.toString()).contains("zk.tls=ZooKeeperTls[trustStore=" + trust);
        assertThatThrownBy(() -> load(null, Map.of(), tls)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs zk.connect");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> load(null, remote, tls)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(password.toString()).hasMessageContaining("readable by group or others");
        assertThatThrownBy(() -> load(null, remote, Map.of("zk.tls.enabled", "true", "zk.tls.truststore",
                dir.resolve("missing.p12").toString(), "zk.tls.truststore.password.file", password.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing.p12")
                .hasMessageContaining("not a readable file");
    }
}
