package io.ha.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

class ClusterWorkTest extends SpringTestBase {
    static class Ticks {
        @Value("${ha.agent.id}")
        String agent;

        @ClusterScheduled(name = "tick", every = "500ms")
        public void tick(TaskContext context) throws InterruptedException {
            Probe.SEEN.add(context.taskId());
            Probe.run(agent, 0);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Ticks.class)
    static class TickApp {
    }

    /** A handler bean, and a handler method. */
    @TaskHandler(type = "shout", concurrency = 2)
    static class Shout implements io.ha.core.task.TaskHandler {
        @Override
        public byte[] handle(TaskContext context) {
            return context.payloadAsString().toUpperCase().getBytes(StandardCharsets.UTF_8);
        }
    }

    static class Greeter {
        @Value("${ha.agent.id}")
        String agent;

        @TaskHandler(type = "greet")
        public String greet(String name) {
            return "hello " + name + " from " + agent;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import({Shout.class, Greeter.class})
    static class WorkerApp {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class SubmitterApp {
    }

    /** Takes a while. */
    static class Slow {
        @Value("${ha.agent.id}")
        String agent;

        @TaskHandler(type = "slow")
        public String slow() throws InterruptedException {
            Probe.SEEN.add("started on " + agent);
            Thread.sleep(1500);
            return agent;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Slow.class)
    static class SlowApp {
    }

    @BeforeEach
    void reset() {
        Probe.reset();
    }

    @Test
    void aClusterScheduleFiresOncePerTickAcrossTwoContexts() {
        app("a", TickApp.class);
        app("b", TickApp.class);
        await().atMost(WAIT).until(() -> Probe.SEEN.size() >= 2);
        int start = Probe.SEEN.size();
        long t0 = System.nanoTime();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int fired = Probe.SEEN.size() - start;
        // Two ticks a second; with one schedule per instance it would be four.
        assertThat(fired).isBetween((int) (seconds * 2) - 2, (int) (seconds * 2) + 2);
        assertThat(new HashSet<>(Probe.SEEN)).as("distinct tasks").hasSameSizeAs(Probe.SEEN);
    }

    @Test
    void aChangedAnnotationRedefinesTheSchedule() throws Exception {
        ConfigurableApplicationContext a = app("a", TickApp.class);
        var schedules = a.getBean(io.ha.core.schedule.Schedules.class);
        assertThat(schedules.get("tick").orElseThrow().record().trigger().describe()).isEqualTo("every 0.5s");
        schedules.define("tick", new io.ha.core.schedule.Trigger.FixedRate(60_000, 0), TaskSpec.builder("tick").build());
        app("b", TickApp.class);
        assertThat(schedules.get("tick").orElseThrow().record().trigger().describe()).isEqualTo("every 0.5s");
    }

    @Test
    void closingTheContextLetsARunningTaskFinishWithinTheDrainTimeout() throws Exception {
        ConfigurableApplicationContext a = app("a", SlowApp.class, "ha.shutdown.drain-timeout=10s", "ha.labels=pool");
        TaskQueue queue = app("c", SubmitterApp.class, "ha.role=observer").getBean(TaskQueue.class);
        String id = queue.submit(TaskSpec.builder("slow").labels(java.util.Set.of("pool")).build());
        await().atMost(WAIT).until(() -> Probe.SEEN.contains("started on a"));
        a.close();
        TaskRecord done = queue.future(id).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(done.result(), StandardCharsets.UTF_8)).as("finished by the closing instance")
                .isEqualTo("a");
    }

    @Test
    void taskHandlerBeansRunTasksSubmittedFromAnotherContext() throws Exception {
        app("worker", WorkerApp.class);
        TaskQueue queue = app("submitter", SubmitterApp.class, "ha.role=observer").getBean(TaskQueue.class);
        String shout = queue.submit(TaskSpec.builder("shout").payload("hey").build());
        String greet = queue.submit(TaskSpec.builder("greet").payload("ann").build());
        TaskRecord shouted = queue.future(shout).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        TaskRecord greeted = queue.future(greet).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(shouted.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(shouted.result(), StandardCharsets.UTF_8)).isEqualTo("HEY");
        assertThat(greeted.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(greeted.result(), StandardCharsets.UTF_8)).isEqualTo("hello ann from worker");
    }
}
