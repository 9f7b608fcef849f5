package io.ha.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.HaCluster;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

class LeaderOnlyTest extends SpringTestBase {
    /** A ShedLock-style job: Spring's own @Scheduled, made leader-only by one annotation. */
    static class Job {
        @Value("${ha.agent.id}")
        String agent;

        @Scheduled(fixedDelay = 10)
        @LeaderOnly
        public void tick() throws InterruptedException {
            Probe.run(agent, 20);
        }

        @LeaderOnly(whenNotLeader = LeaderOnly.NotLeader.THROW)
        public int strict() {
            return 42;
        }

        @LeaderOnly
        public int lenient() {
            return 7;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableScheduling
    @Import(Job.class)
    static class JobApp {
    }

    /** Every method leader-only. */
    @LeaderOnly
    static class Reconciler {
        public String reconcile() {
            return "done";
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Reconciler.class)
    static class ReconcilerApp {
    }

    /** Runs while this instance leads: a leader-only SmartLifecycle bean. */
    @LeaderOnly
    static class Poller implements SmartLifecycle {
        @Value("${ha.agent.id}")
        String agent;
        final AtomicBoolean running = new AtomicBoolean();

        @Override
        public void start() {
            running.set(true);
            Probe.SEEN.add("start " + agent);
        }

        @Override
        public void stop() {
            running.set(false);
            Probe.SEEN.add("stop " + agent);
        }

        @Override
        public boolean isRunning() {
            return running.get();
        }

        /** Whether the bean itself runs (isRunning, seen through the context, says whether it is wanted). */
        public boolean active() {
            return running.get();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Poller.class)
    static class PollerApp {
    }

    @BeforeEach
    void reset() {
        Probe.reset();
    }

    @Test
    void onlyTheLeaderRunsTheScheduledMethodAndItMovesWhenItsContextCloses() {
        ConfigurableApplicationContext a = app("a", JobApp.class);
        ConfigurableApplicationContext b = app("b", JobApp.class);
        await().atMost(WAIT).until(() -> Probe.runs("a") + Probe.runs("b") > 5);
        ConfigurableApplicationContext leader = a.getBean(HaCluster.class).leaderElection().isLeader() ? a : b;
        String leaderId = leader == a ? "a" : "b";
        String otherId = leader == a ? "b" : "a";
        int otherBefore = Probe.runs(otherId);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> Probe.runs(otherId) == otherBefore);
        int leaderRuns = Probe.runs(leaderId);
        leader.close();
        await().atMost(WAIT).until(() -> Probe.runs(otherId) > otherBefore + 5);
        assertThat(Probe.runs(leaderId)).as("runs of the closed context").isLessThanOrEqualTo(leaderRuns + 1);
        assertThat(Probe.MAX_INSIDE).as("runs at once across both contexts").hasValue(1);
    }

    @Test
    void aNonLeaderSkipsOrThrowsAsTheAttributeSays() throws Exception {
        ConfigurableApplicationContext a = app("a", JobApp.class, "spring.task.scheduling.enabled=false");
        a.getBean(HaCluster.class).leaderElection().awaitLeadership(WAIT);
        await().atMost(WAIT).until(() -> a.getBean(Job.class).lenient() == 7);
        ConfigurableApplicationContext b = app("b", JobApp.class);
        Job onB = b.getBean(Job.class);
        assertThat(onB.lenient()).isZero();
        assertThatThrownBy(onB::strict).isInstanceOf(NotLeaderException.class).hasMessageContaining("strict");
        assertThat(a.getBean(Job.class).strict()).isEqualTo(42);
    }

    @Test
    void onATypeEveryOwnMethodIsLeaderOnly() throws Exception {
        ConfigurableApplicationContext a = app("a", ReconcilerApp.class);
        assertThat(a.getBean(HaCluster.class).leaderElection().awaitLeadership(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> "done".equals(a.getBean(Reconciler.class).reconcile()));
        Reconciler onB = app("b", ReconcilerApp.class).getBean(Reconciler.class);
        assertThat(onB.reconcile()).isNull();
        assertThat(onB.equals(onB)).as("equals still works on a non-leader").isTrue();
        assertThat(onB.toString()).isNotNull();
    }

    @Test
    void aLeaderOnlyLifecycleBeanRunsOnTheLeaderOnlyAndMovesWhenItsContextCloses() throws Exception {
        ConfigurableApplicationContext a = app("a", PollerApp.class);
        assertThat(a.getBean(HaCluster.class).leaderElection().awaitLeadership(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> a.getBean(Poller.class).active());
        ConfigurableApplicationContext b = app("b", PollerApp.class);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> !b.getBean(Poller.class).active());
        a.close();
        await().atMost(WAIT).until(() -> b.getBean(Poller.class).active());
        assertThat(Probe.SEEN).containsExactly("start a", "stop a", "start b");
    }
}
