package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.TaskRejectedException;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.internal.Json;
import io.ha.core.session.EventKind;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.PendingEntry;
import io.ha.core.task.store.TaskIds;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;

class TaskQueueTest extends ZkTestBase {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private HaCluster client() throws Exception {
        return member("client", b -> b.role(ClusterRole.OBSERVER));
    }

    @Test
    @org.junit.jupiter.api.Timeout(60) // without the former name, cancel never finds the pointer it must delete
    void pendingTaskWithAPointerOfTheFormerFormatReadsPendingAndCancels() throws Exception {
        HaCluster client = client();
        TaskQueue queue = client.taskQueue();
        String id = queue.submit(TaskSpec.builder("legacy").build());
        TaskRecord record = queue.get(id).orElseThrow();
        // As an older version (no type in the name) left it: the same task, its pointer under the former name.
        CuratorFramework zk = client.curator();
        zk.transaction().forOperations(
                zk.transactionOp().delete().forPath(paths(client).pendingPointer(id, PendingEntry.pointerNameOf(record))),
                zk.transactionOp().create().forPath(paths(client).pendingPointer(id,
                        PendingEntry.formerPointerNameOf(record))));

        assertThat(queue.get(id).orElseThrow().state()).as("still pending, not 'assigned'").isEqualTo(TaskState.PENDING);
        assertThat(queue.cancel(id)).isTrue();
        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(zk.checkExists().forPath(paths(client).pendingPointer(id, PendingEntry.formerPointerNameOf(record))))
                .as("the former pointer is deleted with the cancel").isNull();
    }

    @Test
    void submittedTaskRunsOnceAndItsResultIsRecorded() throws Exception {
        HaCluster agent = member("agent");
        agent.worker().register("echo", ctx -> utf8("echo:" + ctx.payloadAsString()), 2);
        TaskQueue queue = client().taskQueue();

        String id = queue.submit(TaskSpec.builder("echo").payload("hi").build());
        TaskRecord done = queue.await(id, WAIT);

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(done.result(), StandardCharsets.UTF_8)).isEqualTo("echo:hi");
        assertThat(done.agent()).isEqualTo("agent");
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.history()).extracting(TaskEvent::state)
                .containsExactly(TaskState.PENDING, TaskState.ASSIGNED, TaskState.RUNNING, TaskState.SUCCEEDED);
        assertThat(queue.get(id)).contains(done);
        assertThat(queue.counts().get(TaskState.SUCCEEDED)).isEqualTo(1);
    }

    @Test
    void manyTasksOverSeveralAgentsAllSucceedExactlyOnce() throws Exception {
        List<String> runs = new CopyOnWriteArrayList<>();
        for (String id : List.of("a1", "a2", "a3")) {
            member(id).worker().register("count", ctx -> {
                runs.add(ctx.taskId());
                return null;
            }, 4);
        }
        TaskQueue queue = client().taskQueue();
        List<TaskSpec> specs = IntStream.range(0, 500).mapToObj(i -> TaskSpec.builder("count").build()).toList();
        List<String> ids = queue.submitAll(specs);

        assertThat(ids).doesNotHaveDuplicates().hasSize(500);
        await().atMost(WAIT).until(() -> queue.counts().get(TaskState.SUCCEEDED) == 500);
        assertThat(runs).hasSize(500).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
        assertThat(queue.list(TaskState.SUCCEEDED, 10_000)).extracting(TaskRecord::agent)
                .contains("a1", "a2", "a3");
    }

    @Test
    void sameIdempotencyKeyReturnsTheFirstTaskAndAddsNothing() throws Exception {
        TaskQueue queue = client().taskQueue();
        String first = queue.submit(TaskSpec.builder("x").idempotencyKey("order-42").build());
        String second = queue.submit(TaskSpec.builder("x").idempotencyKey("order-42").payload("other").build());
        List<String> batch = queue.submitAll(List.of(
                TaskSpec.builder("x").idempotencyKey("order-42").build(),
                TaskSpec.builder("x").idempotencyKey("order-43").build(),
                TaskSpec.builder("x").idempotencyKey("order-43").build()));

        assertThat(second).isEqualTo(first);
        assertThat(batch.get(0)).isEqualTo(first);
        assertThat(batch.get(1)).isEqualTo(batch.get(2)).isNotEqualTo(first);
        assertThat(queue.counts().get(TaskState.PENDING)).isEqualTo(2);
    }

    @Test
    void failingHandlerIsRetriedWithBackoffThenGoesDead() throws Exception {
        HaCluster agent = member("agent");
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        agent.worker().register("flaky", ctx -> {
            attempts.add(ctx.attempt());
            throw new IllegalStateException("boom " + ctx.attempt());
        }, 1);
        TaskQueue queue = client().taskQueue();

        String id = queue.submit(TaskSpec.builder("flaky").maxAttempts(3).retryBackoff(Duration.ofMillis(50)).build());
        TaskRecord done = queue.await(id, WAIT);

        assertThat(done.state()).isEqualTo(TaskState.DEAD);
        assertThat(attempts).containsExactly(1, 2, 3);
        assertThat(done.lastError()).contains("IllegalStateException: boom 3").contains("attempt 3 of 3");
    }

    @Test
    void nonRetryableFailureEndsFailedAtOnce() throws Exception {
        member("agent").worker().register("strict", ctx -> {
            throw new NonRetryableTaskException("bad input row 7");
        }, 1);
        TaskQueue queue = client().taskQueue();

        TaskRecord done = queue.await(queue.submit(TaskSpec.builder("strict").maxAttempts(5).build()), WAIT);

        assertThat(done.state()).isEqualTo(TaskState.FAILED);
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.lastError()).contains("bad input row 7");
    }

    @Test
    void unknownTaskTypeEndsDeadNamingTheType() throws Exception {
        member("agent").worker().register("known", ctx -> null, 1);
        TaskQueue queue = client().taskQueue();

        TaskRecord done = queue.await(queue.submit(TaskSpec.builder("mystery").build()), WAIT);

        assertThat(done.state()).isEqualTo(TaskState.DEAD);
        assertThat(done.lastError()).contains("unknown task type 'mystery'").contains("known");
    }

    @Test
    void payloadOverTheLimitIsRefusedNamingSizeAndLimit() throws Exception {
        TaskQueue queue = client().taskQueue();
        byte[] big = new byte[TaskQueue.DEFAULT_MAX_PAYLOAD + 1];

        assertThatThrownBy(() -> queue.submit(TaskSpec.builder("x").payload(big).build()))
                .isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining(String.valueOf(big.length))
                .hasMessageContaining(String.valueOf(TaskQueue.DEFAULT_MAX_PAYLOAD));
        assertThat(queue.counts().values()).allMatch(n -> n == 0);

        String ok = queue.submit(TaskSpec.builder("x").payload(new byte[TaskQueue.DEFAULT_MAX_PAYLOAD]).build());
        assertThat(queue.get(ok)).get().extracting(r -> r.payload().length).isEqualTo(TaskQueue.DEFAULT_MAX_PAYLOAD);
    }

    /**
     * A worker reads the records of the tasks it is given together, up to 16 in one request: 20 tasks of 400 KiB
     * each make answers of several MiB, over ZooKeeper's default client packet limit of 1 MiB.
     */
    @Test
    void largeTasksGivenToOneAgentTogetherAllRun() throws Exception {
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)
                .maxTaskPayloadBytes(TaskQueue.MAX_PAYLOAD_CEILING)).taskQueue();
        List<String> ids = queue.submitAll(IntStream.range(0, 20)
                .mapToObj(i -> TaskSpec.builder("big").payload(new byte[400 * 1024]).build()).toList());
        HaCluster agent = member("agent", b -> b.capacity(20));

        agent.worker().register("big", ctx -> utf8(Integer.toString(ctx.payload().length)), 20);

        for (String id : ids) {
            TaskRecord done = queue.await(id, WAIT);
            assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(new String(done.result(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(400 * 1024));
            assertThat(done.attempt()).isEqualTo(1);
        }
        assertThat(agent.timeline().ofKind(EventKind.SUSPENDED)).isEmpty();
    }

    /**
     * Assignments read in one request are each decided on by themselves: assignments whose task is not active
     * (left over, they would hold a slot for ever) are removed, and the tasks read in the same request still run.
     */
    @Test
    void leftoverAssignmentsAreRemovedWhileTheTasksReadWithThemRun() throws Exception {
        HaCluster agent = member("agent");
        TaskQueue queue = client().taskQueue();
        List<String> ids = queue.submitAll(IntStream.range(0, 10)
                .mapToObj(i -> TaskSpec.builder("count").build()).toList());
        // Move the tasks to the agent by hand, as the leader does (pointer gone, assignment made), and add two
        // assignments of tasks that do not exist; the worker then finds all twelve in its first listing.
        CuratorFramework zk = agent.curator();
        long epoch = Long.parseLong(new String(zk.getData().forPath(paths(agent).epoch()), StandardCharsets.UTF_8)
                .trim());
        List<String> leftovers = List.of(TaskIds.newId(1), TaskIds.newId(2));
        for (String id : leftovers) {
            zk.create().creatingParentsIfNeeded().forPath(paths(agent).assignment("agent", id),
                    Json.write(new Assignment(id, "agent", 0, epoch, 1, -1, null)));
        }
        for (String id : ids) {
            TaskRecord record = queue.get(id).orElseThrow();
            zk.transaction().forOperations(
                    zk.transactionOp().delete().forPath(paths(agent).pendingPointer(id, PendingEntry.pointerNameOf(record))),
                    zk.transactionOp().create().forPath(paths(agent).assignment("agent", id),
                            Json.write(new Assignment(id, "agent", 0, epoch, 1, -1, null))));
        }

        Worker worker = agent.worker().register("count", ctx -> null, 16);

        for (String id : ids) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            for (String id : leftovers) {
                assertThat(zk.checkExists().forPath(paths(agent).assignment("agent", id))).isNull();
            }
            assertThat(worker.runningTasks()).isEmpty();
        });
    }

    @Test
    void corruptRecordGoesDeadWhileOthersAreServed() throws Exception {
        TaskQueue queue = client().taskQueue();
        String broken = queue.submit(TaskSpec.builder("count").build());
        HaCluster admin = member("admin", b -> b.role(ClusterRole.OBSERVER));
        admin.curator().setData().forPath(paths(admin).task(broken), utf8("{garbage"));
        List<String> good = queue.submitAll(IntStream.range(0, 20)
                .mapToObj(i -> TaskSpec.builder("count").build()).toList());

        member("agent").worker().register("count", ctx -> null, 2);

        TaskRecord dead = queue.await(broken, WAIT);
        assertThat(dead.state()).isEqualTo(TaskState.DEAD);
        assertThat(dead.lastError()).contains("corrupt task record");
        for (String id : good) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }

    @Test
    void cancelledPendingTaskNeverRuns() throws Exception {
        TaskQueue queue = client().taskQueue();
        String id = queue.submit(TaskSpec.builder("count").build());

        assertThat(queue.cancel(id)).isTrue();
        assertThat(queue.cancel(id)).isFalse();
        List<String> runs = new CopyOnWriteArrayList<>();
        member("agent").worker().register("count", ctx -> {
            runs.add(ctx.taskId());
            return null;
        }, 1);
        String other = queue.submit(TaskSpec.builder("count").build());
        queue.await(other, WAIT);

        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(runs).containsExactly(other);
    }

    @Test
    void cancellingARunningTaskInterruptsItsHandlerAndRecordsOnlyTheCancel() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        member("agent").worker().register("slow", ctx -> {
            started.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return null;
        }, 1);
        TaskQueue queue = client().taskQueue();
        String id = queue.submit(TaskSpec.builder("slow").build());
        assertThat(started.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        await().atMost(WAIT).until(() -> queue.get(id).orElseThrow().state() == TaskState.RUNNING);

        assertThat(queue.cancel(id)).isTrue();

        assertThat(interrupted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        TaskRecord done = queue.await(id, WAIT);
        assertThat(done.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(queue.counts().get(TaskState.CANCELLED)).isEqualTo(1);
        assertThat(queue.counts().get(TaskState.PENDING)).isZero();
        assertThat(queue.counts().get(TaskState.DEAD)).isZero();
    }

    @Test
    void delayedTaskDoesNotStartBeforeItsTime() throws Exception {
        List<Instant> startedAt = new CopyOnWriteArrayList<>();
        member("agent").worker().register("later", ctx -> {
            startedAt.add(Instant.now());
            return null;
        }, 1);
        TaskQueue queue = client().taskQueue();
        Instant notBefore = Instant.now().plusMillis(1500);

        String id = queue.submit(TaskSpec.builder("later").notBefore(notBefore).build());
        assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);

        assertThat(startedAt).hasSize(1);
        assertThat(startedAt.get(0)).isAfterOrEqualTo(notBefore);
    }

    @Test
    void higherPriorityRunsFirst() throws Exception {
        TaskQueue queue = client().taskQueue();
        List<String> low = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            low.add(queue.submit(TaskSpec.builder("p").priority(10).build()));
        }
        String high = queue.submit(TaskSpec.builder("p").priority(900).build());
        List<String> order = new CopyOnWriteArrayList<>();
        member("agent").worker().register("p", ctx -> {
            order.add(ctx.taskId());
            return null;
        }, 1);

        await().atMost(WAIT).until(() -> order.size() == 6);
        assertThat(order.get(0)).isEqualTo(high);
        assertThat(order.subList(1, 6)).containsExactlyElementsOf(low);
    }

    @Test
    void labelledTaskGoesOnlyToAnAgentWithTheLabels() throws Exception {
        List<String> ranOn = new CopyOnWriteArrayList<>();
        member("plain").worker().register("job", ctx -> {
            ranOn.add(ctx.agentId());
            return null;
        }, 4);
        TaskQueue queue = client().taskQueue();
        String gpuTask = queue.submit(TaskSpec.builder("job").labels(Set.of("gpu")).build());
        queue.await(queue.submit(TaskSpec.builder("job").build()), WAIT);
        assertThat(queue.get(gpuTask).orElseThrow().state()).isEqualTo(TaskState.PENDING);

        member("gpu-box", b -> b.labels(Set.of("gpu", "zone=eu"))).worker().register("job", ctx -> {
            ranOn.add(ctx.agentId());
            return null;
        }, 1);

        assertThat(queue.await(gpuTask, WAIT).agent()).isEqualTo("gpu-box");
    }

    @Test
    void progressIsVisibleWhileRunning() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HaCluster agent = member("agent");
        agent.worker().register("long", ctx -> {
            ctx.reportProgress(40, "halfway-ish");
            release.await();
            return null;
        }, 1);
        TaskQueue queue = client().taskQueue();
        String id = queue.submit(TaskSpec.builder("long").build());

        await().atMost(WAIT).until(() -> agent.worker().progress().getOrDefault(id, -1) == 40);
        assertThat(queue.list(TaskState.RUNNING, 10)).extracting(TaskRecord::id).containsExactly(id);
        // Another process reads it from ZooKeeper: the master of a master/slave setup sees its slaves' progress.
        await().atMost(WAIT).until(() -> queue.progress(id).isPresent());
        assertThat(queue.progress(id)).contains(new TaskProgress(id, "agent", 1, 40, "halfway-ish"));
        release.countDown();
        assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(queue.progress(id)).as("progress of an ended task").isEmpty();
        assertThat(queue.progress("no-such-task")).isEmpty();
    }

    @Test
    void aTaskThatIsNotRunningHasNoProgress() throws Exception {
        TaskQueue queue = client().taskQueue();
        String pending = queue.submit(TaskSpec.builder("nobody-runs-this").build());

        assertThat(queue.get(pending).orElseThrow().state()).isEqualTo(TaskState.PENDING);
        assertThat(queue.progress(pending)).isEmpty();
    }
}
