package io.ha.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.leader.LeaderElection;
import io.ha.core.lock.ExclusiveWork;
import io.ha.core.membership.Membership;
import io.ha.core.schedule.Schedules;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

@ExtendWith(OutputCaptureExtension.class)
class HaAutoConfigurationTest extends SpringTestBase {
    /** What the test printed: Spring Boot's failure report ("APPLICATION FAILED TO START") is logged there. */
    private CapturedOutput output;

    @BeforeEach
    void captureOutput(CapturedOutput output) {
        this.output = output;
    }
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
    }

    @Test
    void joinsTheClusterAndInjectsItsParts() throws Exception {
        ConfigurableApplicationContext ctx = app("spring-1", App.class, "ha.capacity=3", "ha.labels=gpu,eu");
        HaCluster cluster = ctx.getBean(HaCluster.class);
        assertThat(cluster.role()).isEqualTo(ClusterRole.MEMBER);
        assertThat(cluster.agentId()).isEqualTo("spring-1");
        assertThat(cluster.config().capacity()).isEqualTo(3);
        assertThat(cluster.config().labels()).containsExactlyInAnyOrder("gpu", "eu");
        assertThat(ctx.getBean(Membership.class).size()).isEqualTo(1);
        assertThat(ctx.getBean(LeaderElection.class).awaitLeadership(WAIT)).isTrue();
        assertThat(ctx.getBean(ExclusiveWork.class)).isSameAs(cluster.exclusiveWork());
        assertThat(ctx.getBean(Schedules.class)).isSameAs(cluster.schedules());
        String id = ctx.getBean(TaskQueue.class).submit(TaskSpec.builder("noop").build());
        assertThat(ctx.getBean(TaskQueue.class).get(id).orElseThrow().state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void closingTheContextLeavesTheCluster() throws Exception {
        HaCluster other = member("plain");
        ConfigurableApplicationContext ctx = app("spring-1", App.class);
        await().atMost(WAIT).until(() -> other.membership().size() == 2);
        ctx.close();
        // Deregistered at once, not after a session timeout.
        await().atMost(SESSION.toMillis() / 2, TimeUnit.MILLISECONDS).until(() -> other.membership().size() == 1);
    }

    @Test
    void observerRoleJoinsWithoutRegistering() throws Exception {
        HaCluster other = member("plain");
        ConfigurableApplicationContext ctx = app("watcher", App.class, "ha.role=observer");
        assertThat(ctx.getBean(HaCluster.class).role()).isEqualTo(ClusterRole.OBSERVER);
        assertThat(other.membership().size()).isEqualTo(1);
    }

    @Test
    void badPropertiesFailStartUpNamingTheProperty() {
        assertBad("ha.session.timeout", "ha.session.timeout=-1s");
        assertBad("ha.capacity", "ha.capacity=0");
        assertBad("ha.role", "ha.role=boss");
        assertBad("ha.agent.id", "ha.agent.id=a/b");
        assertBad("ha.cluster.name", "ha.cluster.name=bad/name");
        assertBad("ha.zk.connect", "ha.zk.connect=host:notaport");
        assertBad("ha.connection.timeout", "ha.connection.timeout=60s");
        assertBad("ha.zk.tls.truststore", "ha.zk.tls.enabled=true");
        assertBad("ha.zk.roles-file", "ha.zk.roles-file=/nonexistent/roles");
    }

    private void assertBad(String property, String setting) {
        Throwable failure = catchFailure(() -> builder("bad", App.class, setting).run());
        InvalidHaPropertyException cause = causeOf(failure);
        assertThat(cause.property()).as(setting).isEqualTo(property);
        assertThat(output).as(setting).contains("The property '" + property + "' is invalid");
    }

    static Throwable catchFailure(Runnable run) {
        try {
            run.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("start-up did not fail");
    }

    static InvalidHaPropertyException causeOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidHaPropertyException e) {
                return e;
            }
        }
        throw new AssertionError("no InvalidHaPropertyException in " + failure, failure);
    }


    @Test
    void embeddedZooKeeperIsRefusedUnderAProdProfile() {
        Throwable failure = catchFailure(() -> builder("dev", App.class, "ha.zk.connect=")
                .profiles("prod").run());
        assertThat(causeOf(failure).property()).isEqualTo("ha.zk.connect");
        assertThat(output).contains("The property 'ha.zk.connect' is invalid").contains("profile 'prod'");
        assertThatThrownBy(() -> builder("dev", App.class, "ha.zk.connect=", "ha.embedded.refused-profiles=staging")
                .profiles("staging").run()).hasStackTraceContaining("profile 'staging'");
    }

    @Test
    void embeddedZooKeeperStartsWithoutAConnectString() {
        ConfigurableApplicationContext ctx = app("dev", App.class, "ha.zk.connect=", "ha.embedded.allowed=true");
        assertThat(ctx.getBean(HaCluster.class).embeddedZooKeeper()).isPresent();
    }
}
