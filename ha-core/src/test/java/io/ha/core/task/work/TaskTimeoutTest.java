package io.ha.core.task.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.BlockingHandler;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@code TaskSpec.timeout} on a real server: the handler is interrupted at the deadline and the attempt fails. */
class TaskTimeoutTest extends ZkTestBase {

    private TaskQueue queue() throws Exception {
        return member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
    }

    @Test
    void blockedHandlerIsInterruptedAtTheTimeoutRetriedAndEndsDead() throws Exception {
        BlockingHandler blocker = new BlockingHandler();
        member("a").worker().register("slow", blocker, 2);
        TaskQueue queue = queue();

        String id = queue.submit(TaskSpec.builder("slow").maxAttempts(2).retryBackoff(Duration.ofMillis(10))
                .timeout(Duration.ofMillis(300)).build());
        TaskRecord dead = queue.await(id, WAIT);

        assertThat(dead.state()).isEqualTo(TaskState.DEAD);
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(dead.lastError()).contains("timed out after 300ms (task timeout)").contains("attempt 2 of 2");
        assertThat(blocker.started).containsExactly(id, id);
        await().atMost(WAIT).until(() -> blocker.interrupted.size() == 2);
        // The first attempt's failure went through the retry rule: back to PENDING as attempt 2, naming the timeout.
        assertThat(dead.history()).filteredOn(e -> e.state() == TaskState.PENDING && e.attempt() == 2)
                .extracting(TaskEvent::detail).singleElement().asString()
                .contains("timed out after 300ms (task timeout)");
    }

    @Test
    void handlerThatIgnoresInterruptsStillHasItsAttemptFailedAtTheDeadline() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicBoolean sawCancelled = new AtomicBoolean();
        member("a").worker().register("stubborn", ctx -> {
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    sawCancelled.set(ctx.isCancelled());
                }
            }
            returned.countDown();
            return "late".getBytes(StandardCharsets.UTF_8);
        }, 1);
        TaskQueue queue = queue();

        String id = queue.submit(TaskSpec.builder("stubborn").maxAttempts(1).timeout(Duration.ofMillis(300)).build());
        TaskRecord dead = queue.await(id, WAIT);

        assertThat(dead.state()).isEqualTo(TaskState.DEAD);
        assertThat(dead.lastError()).contains("timed out after 300ms (task timeout)");
        assertThat(returned.getCount()).as("recorded while the handler still runs").isEqualTo(1);
        // The handler's thread wakes from the interrupt on its own time, possibly after the failure is recorded.
        await().atMost(WAIT).untilTrue(sawCancelled);
        release.countDown();
        returned.await();
        // The late result is dropped: the terminal record stays as the deadline wrote it.
        await().during(Duration.ofMillis(500)).atMost(WAIT)
                .until(() -> queue.get(id).orElseThrow().equals(dead));
    }

    @Test
    void handlerThatFinishesBeforeItsTimeoutSucceeds() throws Exception {
        member("a").worker().register("quick", ctx -> "ok".getBytes(StandardCharsets.UTF_8), 1);
        TaskQueue queue = queue();

        String id = queue.submit(TaskSpec.builder("quick").timeout(Duration.ofSeconds(5)).build());

        assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
    }
}
