package io.ha.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.HaCluster;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

class HaActuatorTest extends SpringTestBase {
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
    }

    @Test
    void healthIsUpWhileConnectedAndDownWhenZooKeeperGoesAway() throws Exception {
        ConfigurableApplicationContext ctx = app("a", App.class);
        HaHealthIndicator indicator = ctx.getBean(HaHealthIndicator.class);
        ctx.getBean(HaCluster.class).leaderElection().awaitLeadership(WAIT);
        Health up = indicator.health();
        assertThat(up.getStatus()).isEqualTo(Status.UP);
        assertThat(up.getDetails()).containsEntry("connected", true).containsEntry("registered", true)
                .containsEntry("leader", true).containsEntry("sessionState", "CONNECTED")
                .containsEntry("agentId", "a").containsEntry("cluster", "test");
        server.stop();
        await().atMost(WAIT).until(() -> indicator.health().getStatus().equals(Status.DOWN));
        assertThat(indicator.health().getDetails()).containsEntry("connected", false);
        server.restart();
        await().atMost(WAIT).until(() -> indicator.health().getStatus().equals(Status.UP));
    }

    @Test
    void healthIsDownOnceTheContextStopped() {
        ConfigurableApplicationContext ctx = app("a", App.class);
        HaHealthIndicator indicator = ctx.getBean(HaHealthIndicator.class);
        ctx.close();
        assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
    }

    @Test
    void metricsAreBoundToTheApplicationsOwnRegistry() throws Exception {
        ConfigurableApplicationContext ctx = app("a", App.class);
        MeterRegistry registry = ctx.getBean(MeterRegistry.class);
        ctx.getBean(HaCluster.class).leaderElection().awaitLeadership(WAIT);
        assertThat(registry.get("ha.leader").gauge().value()).isEqualTo(1);
        assertThat(registry.get("ha.members").gauge().value()).isEqualTo(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void infoAndMetricsDescribeTheInstance() throws Exception {
        ConfigurableApplicationContext ctx = app("a", App.class, "ha.labels=eu");
        Info.Builder info = new Info.Builder();
        ctx.getBean(HaInfoContributor.class).contribute(info);
        Map<String, Object> ha = (Map<String, Object>) info.build().getDetails().get("ha");
        assertThat(ha).containsEntry("agentId", "a").containsEntry("cluster", "test")
                .containsEntry("embeddedZooKeeper", false).containsEntry("connectString", server.getConnectString());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ctx.getBean(HaMetrics.class).bindTo(registry);
        ctx.getBean(HaCluster.class).leaderElection().awaitLeadership(WAIT);
        assertThat(registry.get("ha.leader").gauge().value()).isEqualTo(1);
        assertThat(registry.get("ha.session.state").tag("state", "CONNECTED").gauge().value()).isEqualTo(1);
        assertThat(registry.get("ha.members").gauge().value()).isEqualTo(1);
        ctx.close();
        assertThat(registry.get("ha.leader").gauge().value()).isZero();
    }
}
