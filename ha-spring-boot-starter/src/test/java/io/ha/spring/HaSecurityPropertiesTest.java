package io.ha.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.cluster.ClusterConfig;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.Roles;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;

/** Credentials, roles and TLS properties reach the cluster's builder; secrets are refused when others can read them. */
class HaSecurityPropertiesTest extends SpringTestBase {
    private static final Credentials AGENT = new Credentials("agent", "ag-Zq7-secret");
    private static final Credentials SUBMITTER = new Credentials("ci", "ci-Zq7-secret");
    private static final Roles ROLES = new Roles(Set.of(AGENT.digestId()), Set.of(SUBMITTER.digestId()), Set.of());

    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
    }

    private Path secret(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void aSubmitterIdentityCanSubmitButNotRegisterAsAnAgent() throws Exception {
        Path roles = secret("roles", ROLES.toText());
        Path agentAuth = secret("agent.auth", AGENT.user() + ":" + AGENT.password());
        Path ciAuth = secret("ci.auth", SUBMITTER.user() + ":" + SUBMITTER.password());
        app("worker", ClusterWorkTest.WorkerApp.class, "ha.zk.auth-file=" + agentAuth, "ha.zk.roles-file=" + roles);
        TaskQueue queue = app("ci", App.class, "ha.zk.auth-file=" + ciAuth, "ha.zk.roles-file=" + roles,
                "ha.role=observer").getBean(TaskQueue.class);
        String id = queue.submit(TaskSpec.builder("shout").payload("x").build());
        assertThat(queue.future(id).get(WAIT.toSeconds(), TimeUnit.SECONDS).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThatThrownBy(() -> app("fake", App.class, "ha.zk.auth-file=" + ciAuth, "ha.zk.roles-file=" + roles))
                .hasStackTraceContaining("only an agent identity may join as an agent");
    }

    @Test
    void aCredentialsFileReadableByOthersIsRefused() throws Exception {
        Path auth = secret("open.auth", AGENT.user() + ":" + AGENT.password());
        Files.setPosixFilePermissions(auth, PosixFilePermissions.fromString("rw-r--r--"));
        Throwable failure = HaAutoConfigurationTest.catchFailure(() -> app("a", App.class, "ha.zk.auth-file=" + auth));
        InvalidHaPropertyException cause = HaAutoConfigurationTest.causeOf(failure);
        assertThat(cause.property()).isEqualTo("ha.zk.auth-file");
        assertThat(cause.getMessage()).contains("readable by group or others").doesNotContain(AGENT.password());
    }

    @Test
    void credentialsComeFromTheEnvironmentWhenNoFileIsSet() {
        HaProperties props = properties();
        ClusterConfig config = new HaClusterFactory(props, new StandardEnvironment(),
                Map.of(HaClusterFactory.AUTH_ENV, "agent:ag-Zq7-secret")::get).builder().config();
        assertThat(config.credentials()).isEqualTo(AGENT);
        assertThatThrownBy(() -> new HaClusterFactory(props, new StandardEnvironment(),
                Map.of(HaClusterFactory.AUTH_ENV, "no-colon-secret")::get).builder())
                .isInstanceOf(InvalidHaPropertyException.class).hasMessageStartingWith("HA_ZK_AUTH: ")
                .hasMessageNotContaining("no-colon-secret");
    }

    @Test
    void tlsAndCapacityPropertiesReachTheBuilder() throws Exception {
        Path trust = dir.resolve("trust.p12");
        Files.writeString(trust, "not read here");
        Path trustPass = secret("trust.pass", "changeit");
        Path key = dir.resolve("key.p12");
        Files.writeString(key, "not read here");
        Path keyPass = secret("key.pass", "changeit");
        HaProperties props = properties();
        props.getZk().getTls().setEnabled(true);
        props.getZk().getTls().setTruststore(trust);
        props.getZk().getTls().setTruststorePasswordFile(trustPass);
        props.getZk().getTls().setKeystore(key);
        props.getZk().getTls().setKeystorePasswordFile(keyPass);
        props.getCluster().setMaxAgentCapacity(8);
        ClusterConfig config = new HaClusterFactory(props, new StandardEnvironment(), n -> null).builder().config();
        assertThat(config.tls().trustStore()).isEqualTo(trust);
        assertThat(config.tls().keyStorePasswordFile()).isEqualTo(keyPass);
        assertThat(config.maxAgentCapacity()).isEqualTo(8);
        props.getZk().getTls().setKeystorePasswordFile(null);
        assertThatThrownBy(() -> new HaClusterFactory(props, new StandardEnvironment(), n -> null).builder())
                .isInstanceOf(InvalidHaPropertyException.class)
                .hasMessageStartingWith("ha.zk.tls.keystore-password-file: ");
    }

    private HaProperties properties() {
        HaProperties props = new HaProperties();
        props.getZk().setConnect(server.getConnectString());
        props.getAgent().setId("a");
        return props;
    }
}
