package io.ha.core.task.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.BlockingHandler;
import io.ha.core.testing.ZkTestBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A worker's drain against a real server: it waits for running tasks without polling, and hands back the rest. */
class DrainerTest extends ZkTestBase {

    private TaskQueue queue() throws Exception {
        return member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
    }

    @Test
    void drainWithRunningTasksReturnsAsSoonAsTheyFinish() throws Exception {
        HaCluster a = member("a");
        BlockingHandler blocker = new BlockingHandler();
        a.worker().register("job", blocker, 2);
        TaskQueue queue = queue();
        List<String> ids = queue.submitAll(List.of(TaskSpec.builder("job").build(), TaskSpec.builder("job").build()));
        await().atMost(WAIT).until(() -> blocker.started.size() == 2);

        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
            try {
                a.worker().drain(Duration.ofSeconds(60));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(WAIT).until(() -> !a.worker().isAccepting());
        assertThat(drained).isNotDone();
        long released = System.nanoTime();
        blocker.release.countDown();
        drained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - released);

        // Well below the drain timeout (60 s): the drain wakes when the last task is released.
        assertThat(took).isLessThan(Duration.ofSeconds(20));
        for (String id : ids) {
            assertThat(queue.get(id).orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(a.worker().runningTasks()).isEmpty();
        assertThat(blocker.interrupted).isEmpty();
    }

    @Test
    void drainThatTimesOutInterruptsAndHandsTheTasksBackWithTheNextAttempt() throws Exception {
        HaCluster a = member("a");
        BlockingHandler blocker = new BlockingHandler();
        a.worker().register("job", blocker, 2);
        TaskQueue queue = queue();
        List<String> ids = queue.submitAll(List.of(TaskSpec.builder("job").build(), TaskSpec.builder("job").build()));
        await().atMost(WAIT).until(() -> blocker.started.size() == 2);

        long t0 = System.nanoTime();
        a.worker().drain(Duration.ofMillis(300));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        // It waited for the running tasks until the timeout, then stopped them and handed them back itself.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        for (String id : ids) {
            TaskRecord back = queue.get(id).orElseThrow();
            assertThat(back.state()).isEqualTo(TaskState.PENDING);
            assertThat(back.attempt()).isEqualTo(2);
            assertThat(back.lastError()).contains("drained before the task finished");
        }
        await().atMost(WAIT).until(() -> blocker.interrupted.size() == 2);
        assertThat(a.worker().isAccepting()).isFalse();
        assertThat(a.membership().isAlive("a")).isTrue();
    }
}
