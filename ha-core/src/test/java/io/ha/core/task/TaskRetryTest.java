package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.NoSuchTaskException;
import io.ha.core.TaskRejectedException;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.store.TaskIds;
import io.ha.core.testing.BlockingHandler;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link TaskQueue#retry}: DEAD and FAILED tasks back to pending on a real server, everything else refused. */
class TaskRetryTest extends ZkTestBase {

    private HaCluster client() throws Exception {
        return member("client", b -> b.role(ClusterRole.OBSERVER));
    }

    @Test
    void retriedDeadTaskRunsAgainWithFreshAttemptsAndCanSucceedItsHistoryKept() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean();
        AtomicInteger runs = new AtomicInteger();
        member("a").worker().register("flaky", ctx -> {
            runs.incrementAndGet();
            if (!healthy.get()) {
                throw new IllegalStateException("backend down");
            }
            return ("ok at attempt " + ctx.attempt()).getBytes(StandardCharsets.UTF_8);
        }, 1);
        TaskQueue queue = client().taskQueue();
        TaskSpec spec = TaskSpec.builder("flaky").maxAttempts(2).retryBackoff(Duration.ofMillis(10))
                .idempotencyKey("order-7").build();
        String id = queue.submit(spec);
        TaskRecord dead = queue.await(id, WAIT);
        assertThat(dead.state()).isEqualTo(TaskState.DEAD);

        healthy.set(true);
        TaskRecord revived = queue.retry(id);

        assertThat(revived.state()).isEqualTo(TaskState.PENDING);
        // Attempt numbers keep growing (the fencing token never repeats); the budget is maxAttempts again.
        assertThat(revived.attempt()).isEqualTo(3);
        assertThat(revived.lastAttempt()).isEqualTo(4);
        assertThat(revived.attemptsLeft()).isTrue();
        TaskRecord done = queue.await(id, WAIT);
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(done.result(), StandardCharsets.UTF_8)).isEqualTo("ok at attempt 3");
        assertThat(runs).hasValue(3);
        assertThat(done.history()).extracting(TaskEvent::state).containsSubsequence(TaskState.DEAD,
                TaskState.PENDING, TaskState.RUNNING, TaskState.SUCCEEDED);
        assertThat(done.history()).extracting(TaskEvent::detail)
                .contains("retried by client after DEAD at attempt 2");
        assertThat(done.lastError()).contains("backend down");
        // The idempotency key still maps to the same task; the DEAD record is gone.
        assertThat(queue.submit(spec)).isEqualTo(id);
        assertThat(queue.counts().get(TaskState.DEAD)).isZero();
    }

    @Test
    void failedTaskCanBeRetried() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        member("a").worker().register("strict", ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw new NonRetryableTaskException("bad input");
            }
            return null;
        }, 1);
        TaskQueue queue = client().taskQueue();
        String id = queue.submit(TaskSpec.builder("strict").build());
        assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.FAILED);

        queue.retry(id);

        assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void retryIsRefusedForSucceededRunningUnknownAndGroupMemberTasksAndChangesNothing() throws Exception {
        HaCluster agent = member("a");
        BlockingHandler blocker = new BlockingHandler();
        agent.worker().register("ok", ctx -> null, 1).register("block", blocker, 1);
        HaCluster client = client();
        TaskQueue queue = client.taskQueue();
        String ok = queue.submit(TaskSpec.builder("ok").build());
        TaskRecord succeeded = queue.await(ok, WAIT);
        String running = queue.submit(TaskSpec.builder("block").build());
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> blocker.started.contains(running));

        assertThatThrownBy(() -> queue.retry(ok)).isInstanceOf(TaskRejectedException.class)
                .hasMessage("task " + ok + " is SUCCEEDED; only DEAD or FAILED tasks can be retried");
        assertThatThrownBy(() -> queue.retry(running)).isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining(running).hasMessageContaining("is RUNNING");
        String unknown = TaskIds.newId(System.currentTimeMillis());
        assertThatThrownBy(() -> queue.retry(unknown)).isInstanceOf(NoSuchTaskException.class)
                .hasMessageContaining(unknown);
        assertThatThrownBy(() -> queue.retry("not-an-id")).isInstanceOf(NoSuchTaskException.class);
        assertThat(queue.get(ok)).contains(succeeded);
        assertThat(queue.get(running).orElseThrow().state()).isEqualTo(TaskState.RUNNING);

        // A group member (written the way the group's transactions store one): refused, stays DEAD.
        String member = TaskIds.newId(System.currentTimeMillis());
        TaskRecord dead = TaskRecord.create(member, TaskSpec.builder("ok").build(), System.currentTimeMillis())
                .inGroup("g1", 0).ended(TaskState.DEAD, "boom", System.currentTimeMillis());
        ZPaths paths = paths(client);
        client.curator().create().forPath(paths.doneRecord("DEAD", member), Json.write(dead));
        assertThatThrownBy(() -> queue.retry(member)).isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining(member).hasMessageContaining("member of group g1")
                .hasMessageContaining("retried through their group");
        assertThat(queue.get(member)).contains(dead);
        blocker.release.countDown();
    }

    @Test
    void concurrentRetriesReviveTheTaskOnce() throws Exception {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        member("a").worker().register("die", ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw new NonRetryableTaskException("no");
            }
            done.await(); // the revived run stays active, so a late retry cannot find it FAILED again
            return null;
        }, 1);
        TaskQueue queue = client().taskQueue();
        String id = queue.submit(TaskSpec.builder("die").build());
        queue.await(id, WAIT);

        List<CompletableFuture<Boolean>> tries = List.of(1, 2, 3, 4).stream().map(i -> CompletableFuture.supplyAsync(
                () -> {
                    try {
                        queue.retry(id);
                        return true;
                    } catch (TaskRejectedException e) {
                        return false;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })).toList();

        assertThat(tries.stream().map(CompletableFuture::join).filter(b -> b).count()).isEqualTo(1);
        done.countDown();
    }

    @Test
    void retryAllRetriesDeadTasksOfOneTypeUpToTheLimit() throws Exception {
        member("a").worker().register("x", ctx -> {
            throw new IllegalStateException("x fails");
        }, 2).register("y", ctx -> {
            throw new IllegalStateException("y fails");
        }, 1);
        TaskQueue queue = client().taskQueue();
        List<String> xs = queue.submitAll(List.of(TaskSpec.builder("x").maxAttempts(1).build(),
                TaskSpec.builder("x").maxAttempts(1).build(), TaskSpec.builder("x").maxAttempts(1).build()));
        String y = queue.submit(TaskSpec.builder("y").maxAttempts(1).build());
        for (String id : xs) {
            queue.await(id, WAIT);
        }
        queue.await(y, WAIT);

        List<TaskRecord> retried = queue.retryAll(TaskState.DEAD, "x", 2);

        assertThat(retried).hasSize(2).extracting(TaskRecord::type).containsOnly("x");
        assertThat(xs).containsAll(retried.stream().map(TaskRecord::id).toList());
        assertThat(queue.get(y).orElseThrow().state()).isEqualTo(TaskState.DEAD);
        assertThatThrownBy(() -> queue.retryAll(TaskState.SUCCEEDED, null, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SUCCEEDED");
    }
}
