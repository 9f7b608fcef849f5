package io.ha.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.ZooKeeperTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityPolicyTest {
    private static final Credentials CREDENTIALS = Credentials.parse("agents:s3cret-pw");

    private static AgentConfig.Builder local() {
        return AgentConfig.builder().zkConnect("127.0.0.1:2181").agentId("a");
    }

    @Test
    void refusesExecWithoutCredentialsNamingTheKeysToSet() {
        assertThatThrownBy(() -> SecurityPolicy.check(local().build()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("exec.enabled=true").hasMessageContaining("zk.auth.file")
                .hasMessageContaining("HA_ZK_AUTH").hasMessageContaining("security.insecure=true")
                .hasMessageContaining("127.0.0.1:2181");
    }

    @Test
    void embeddedZooKeeperIsNoCredentialsEither() {
        assertThatThrownBy(() -> SecurityPolicy.check(AgentConfig.builder().agentId("a").build()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("embedded server");
    }

    @Test
    void theDefaultsAreRefused() {
        AgentConfig defaults = new ConfigLoader(Map.of(), java.nio.file.Path.of(".")).load(null, false, Map.of());
        assertThatThrownBy(() -> SecurityPolicy.check(defaults)).isInstanceOf(ConfigException.class);
    }

    @Test
    void insecureAllowsExecWithoutCredentialsWithALoudWarning() {
        assertThat(SecurityPolicy.check(local().securityInsecure(true).build()))
                .singleElement().asString().startsWith("INSECURE (security.insecure=true)");
    }

    @Test
    void credentialsAllowExecWithoutWarnings() {
        assertThat(SecurityPolicy.check(local().zkCredentials(CREDENTIALS).build())).isEmpty();
        assertThat(SecurityPolicy.check(AgentConfig.builder().agentId("a").zkCredentials(CREDENTIALS).build()))
                .isEmpty();
    }

    @Test
    void withoutExecNoCredentialsIsAWarningOnly() {
        assertThat(SecurityPolicy.check(local().execEnabled(false).build()))
                .singleElement().asString().contains("no ZooKeeper credentials");
    }

    @Test
    void insecureWithCredentialsSaysItHasNoEffect() {
        assertThat(SecurityPolicy.check(local().zkCredentials(CREDENTIALS).securityInsecure(true).build()))
                .singleElement().asString().contains("no effect");
    }

    @Test
    void nonLoopbackConnectStringWarnsAboutTls() {
        assertThat(SecurityPolicy.check(local().zkConnect("127.0.0.1:2181,zk2.example:2181,10.0.0.3:2181/ha")
                .zkCredentials(CREDENTIALS).build()))
                .singleElement().asString().contains("zk2.example, 10.0.0.3").contains("TLS")
                .contains("security.require-tls=true");
    }

    @Test
    void requireTlsRefusesANonLoopbackConnectStringWithoutTls() {
        assertThatThrownBy(() -> SecurityPolicy.check(local().zkConnect("zk1:2181").zkCredentials(CREDENTIALS)
                .securityRequireTls(true).build()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("security.require-tls=true")
                .hasMessageContaining("zk1").hasMessageContaining("without TLS")
                .hasMessageContaining("zk.tls.enabled=true");
        assertThat(SecurityPolicy.check(local().zkConnect("localhost:2181,127.0.0.2:2182,[::1]:2183/x")
                .zkCredentials(CREDENTIALS).securityRequireTls(true).build())).isEmpty();
        assertThat(SecurityPolicy.check(AgentConfig.builder().agentId("a").zkCredentials(CREDENTIALS)
                .securityRequireTls(true).build())).isEmpty();
    }

    @Test
    void withTlsARemoteConnectStringNeitherWarnsNorIsRefused(@TempDir Path dir) throws Exception {
        Path store = Files.writeString(dir.resolve("trust.p12"), "not read by the policy");
        Path password = Files.writeString(dir.resolve("trust.password"), "pw");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        ZooKeeperTls tls = ZooKeeperTls.trusting(store, password);
        assertThat(SecurityPolicy.check(local().zkConnect("zk1:2181,10.0.0.3:2181").zkCredentials(CREDENTIALS)
                .zkTls(tls).build())).isEmpty();
        assertThat(SecurityPolicy.check(local().zkConnect("zk1:2181").zkCredentials(CREDENTIALS).zkTls(tls)
                .securityRequireTls(true).build())).isEmpty();
    }

    @Test
    void loopbackMeansLoopbackLiteralsOnly() {
        assertThat(SecurityPolicy.isLoopback("127.0.0.1")).isTrue();
        assertThat(SecurityPolicy.isLoopback("127.255.0.9")).isTrue();
        assertThat(SecurityPolicy.isLoopback("LOCALHOST")).isTrue();
        assertThat(SecurityPolicy.isLoopback("::1")).isTrue();
        assertThat(SecurityPolicy.isLoopback("127.0.0.1.evil.example")).isFalse();
        assertThat(SecurityPolicy.isLoopback("127.0.0.256")).isFalse();
        assertThat(SecurityPolicy.isLoopback("0.0.0.0")).isFalse();
        assertThat(SecurityPolicy.isLoopback("localhost.example")).isFalse();
        assertThat(SecurityPolicy.nonLoopbackHosts("[fe80::1]:2181,[::1]:2181")).containsExactly("fe80::1");
    }

    @Test
    void keysAreReadFromTheFileAndEnvironment() {
        AgentConfig c = new ConfigLoader(Map.of("HA_SECURITY_INSECURE", "true", "HA_SECURITY_REQUIRE_TLS", "TRUE"),
                java.nio.file.Path.of(".")).load(null, false, Map.of());
        assertThat(c.securityInsecure()).isTrue();
        assertThat(c.securityRequireTls()).isTrue();
        assertThatThrownBy(() -> new ConfigLoader(Map.of("HA_SECURITY_INSECURE", "yes"), java.nio.file.Path.of("."))
                .load(null, false, Map.of())).hasMessageContaining("'security.insecure'")
                .hasMessageContaining("'yes'").hasMessageContaining("true or false");
    }
}
