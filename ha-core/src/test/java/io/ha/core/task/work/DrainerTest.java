package io.ha.core.task.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskHandler;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.ZkTestBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A worker's drain against a real server: it waits for running tasks without polling, and hands back the rest. */
class DrainerTest extends ZkTestBase {

    /** Blocks until released or interrupted. */
    private static final class Blocker implements TaskHandler {
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> started = new CopyOnWriteArrayList<>();
        final List<String> interrupted = new CopyOnWriteArrayList<>();

        @Override
        public byte[] handle(TaskContext ctx) throws Exception {
            started.add(ctx.taskId());
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.add(ctx.taskId());
                throw e;
            }
            return null;
        }
    }

    private TaskQueue queue() throws Exception {
        return member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
    }

    @Test
    void drainWithRunningTasksReturnsAsSoonAsTheyFinish() throws Exception {
        HaCluster a = member("a");
        Blocker blocker = new Blocker();
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

        // Far below the drain timeout: the drain wakes when the last task is released.
        assertThat(took).isLessThan(Duration.ofSeconds(3));
        for (String id : ids) {
            assertThat(queue.get(id).orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(a.worker().runningTasks()).isEmpty();
        assertThat(blocker.interrupted).isEmpty();
    }

    @Test
    void drainThatTimesOutInterruptsAndHandsTheTasksBackWithTheNextAttempt() throws Exception {
        HaCluster a = member("a");
        Blocker blocker = new Blocker();
        a.worker().register("job", blocker, 2);
        TaskQueue queue = queue();
        List<String> ids = queue.submitAll(List.of(TaskSpec.builder("job").build(), TaskSpec.builder("job").build()));
        await().atMost(WAIT).until(() -> blocker.started.size() == 2);

        long t0 = System.nanoTime();
        a.worker().drain(Duration.ofMillis(300));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        // The timeout plus the hand-back; not the session timeout that bounds the wait for unstarted claims.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(SESSION);
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
