package io.ha.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.leader.LeaderService;
import io.ha.core.session.ConnectionPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The settings' validation and defaults, without a server: what {@link HaClusterBuilder#build()} produces. */
class ClusterConfigTest {
    @Test
    void defaultsAreResolvedWithoutTouchingTheBuilder() {
        HaClusterBuilder builder = HaCluster.builder();

        ClusterConfig config = builder.config();

        assertThat(config.agentId()).isEqualTo(ProcessIdentity.defaultAgentId());
        assertThat(config.retryPolicy()).isNotNull();
        assertThat(config.connectString()).isNull();
        assertThat(config.clusterName()).isEqualTo("default");
        assertThat(config.rootPath()).isEqualTo("/ha");
        assertThat(config.sessionTimeout()).isEqualTo(ClusterConfig.DEFAULT_SESSION_TIMEOUT);
        assertThat(config.connectionPolicy()).isEqualTo(ConnectionPolicy.SUSPENDED_IS_LOSS);
        // build() wrote nothing back: a later agent id or session timeout is still taken.
        ClusterConfig later = builder.agentId("later").sessionTimeout(Duration.ofSeconds(30)).config();
        assertThat(later.agentId()).isEqualTo("later");
        assertThat(later.retryPolicy()).isNotSameAs(config.retryPolicy());
    }

    @Test
    void aConfigIsImmutable() {
        HaClusterBuilder builder = HaCluster.builder().labels(Set.of("gpu"));
        LeaderService first = ctx -> { };
        builder.leaderService("first", first);
        ClusterConfig config = builder.config();

        builder.labels(Set.of("cpu")).leaderService("second", ctx -> { });

        assertThat(config.labels()).containsExactly("gpu");
        assertThat(config.leaderServices()).containsOnlyKeys("first");
        assertThatThrownBy(() -> config.leaderServices().put("third", first))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> config.labels().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void leaderServicesKeepTheirRegistrationOrder() {
        HaClusterBuilder builder = HaCluster.builder();
        List<String> names = List.of("zeta", "alpha", "mid", "beta", "omega", "delta", "kappa", "gamma", "eta");
        names.forEach(n -> builder.leaderService(n, ctx -> { }));

        assertThat(builder.config().leaderServices().keySet()).containsExactlyElementsOf(names);
    }

    @Test
    void theCombinationIsCheckedWithBothValuesInTheError() {
        assertThatThrownBy(() -> HaCluster.builder().sessionTimeout(Duration.ofSeconds(4))
                .connectionTimeout(Duration.ofSeconds(5)).config())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connection timeout (5000 ms) must not exceed the session timeout (4000 ms)");
    }

    @Test
    void aConfigMadeDirectlyIsValidatedLikeOneFromTheBuilder() {
        ClusterConfig valid = HaCluster.builder().config();

        assertThatThrownBy(() -> copyWithCapacity(valid, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("capacity must be at least 1, got 0");
        assertThatThrownBy(() -> copyWithRoot(valid, "ha/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root path").hasMessageContaining("ha/");
        assertThatThrownBy(() -> copyWithPayload(valid, 600 * 1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max task payload")
                .hasMessageContaining("614400");
    }

    @Test
    void toStringNeverShowsThePassword() {
        ClusterConfig config = HaCluster.builder().credentials(Credentials.parse("ops:s3cret")).config();

        assertThat(config.toString()).contains("ops").doesNotContain("s3cret");
    }

    private static ClusterConfig copyWithCapacity(ClusterConfig c, int capacity) {
        return copy(c, c.rootPath(), capacity, c.maxTaskPayloadBytes());
    }

    private static ClusterConfig copyWithRoot(ClusterConfig c, String root) {
        return copy(c, root, c.capacity(), c.maxTaskPayloadBytes());
    }

    private static ClusterConfig copyWithPayload(ClusterConfig c, int payload) {
        return copy(c, c.rootPath(), c.capacity(), payload);
    }

    private static ClusterConfig copy(ClusterConfig c, String root, int capacity, int payload) {
        return new ClusterConfig(c.connectString(), c.clusterName(), root, c.agentId(), c.sessionTimeout(),
                c.connectionTimeout(), c.leaderStopTimeout(), c.retryPolicy(), c.credentials(), c.connectionPolicy(),
                c.role(), capacity, c.labels(), c.httpEndpoint(), c.timelineCapacity(), payload,
                c.assignmentStrategy(), c.leaderServices(), c.doneRetention(), c.maxDoneRecords(), c.tls(), c.roles(),
                c.maxAgentCapacity(), c.followReconfig());
    }
}
