package io.ha.core.task.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The pending log: how the leader hears of pointers added outside it (submits, retries, follow-ups, reassignments)
 * and removed (cancels), one announcement per transaction, and that announcements never pile up.
 */
class PendingLogTest extends ZkTestBase {

    /** Every announcement waiting in the log, over all its buckets. */
    private static List<String> announcements(HaCluster any) throws Exception {
        List<String> all = new java.util.ArrayList<>();
        for (String bucket : io.ha.core.internal.Buckets.all()) {
            any.curator().getChildren().forPath(paths(any).pendingLogBucket(bucket))
                    .forEach(name -> all.add(bucket + "/" + name));
        }
        return all;
    }

    @Test
    void encodesAddedThenRemovedNamesAndSkipsLinesOfAnyOtherShape() {
        byte[] data = PendingLog.encode(List.of("a_1", "b_2"), List.of("c_3"));
        assertThat(new String(data, StandardCharsets.UTF_8)).isEqualTo("+a_1\n+b_2\n-c_3\n");
        assertThat(PendingLog.decode(data)).isEqualTo(new PendingLog(List.of("a_1", "b_2"), List.of("c_3")));
        assertThat(PendingLog.decode("+x\n?y\n\n-\n-z".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new PendingLog(List.of("x"), List.of("z")));
        assertThat(PendingLog.decode(null)).isEqualTo(new PendingLog(List.of(), List.of()));
    }

    @Test
    void submitsRetriesAndFollowUpsAreAllHeardAndTheLogDrains() throws Exception {
        HaCluster agent = member("agent");
        Map<String, Integer> attempts = new ConcurrentHashMap<>();
        agent.worker().register("flaky", ctx -> {
            // Every task fails its first attempt: its retry is a pointer the worker adds, announced by the worker.
            if (attempts.merge(ctx.taskId(), 1, Integer::sum) == 1) {
                throw new IllegalStateException("first attempt fails");
            }
            return null;
        }, 8);
        agent.worker().register("next", ctx -> null, 8);
        HaCluster client = member("client", b -> b.role(ClusterRole.OBSERVER));
        TaskQueue queue = client.taskQueue();

        List<TaskSpec> specs = IntStream.range(0, 450).mapToObj(i -> TaskSpec.builder("flaky").maxAttempts(2)
                .retryBackoff(java.time.Duration.ofMillis(10)).then(TaskSpec.builder("next").build()).build())
                .toList();
        List<String> ids = queue.submitAll(specs);

        await().atMost(WAIT).until(() -> queue.counts().get(TaskState.SUCCEEDED) == 900);
        for (String id : ids) {
            TaskRecord done = queue.get(id).orElseThrow();
            assertThat(done.attempt()).isEqualTo(2);
            assertThat(done.children()).hasSize(1);
        }
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(announcements(client)).isEmpty());
    }

    @Test
    void tasksQueuedWhileNoLeaderExistsRunOnceOneIsElected() throws Exception {
        HaCluster client = member("client", b -> b.role(ClusterRole.OBSERVER));
        TaskQueue queue = client.taskQueue();
        List<String> ids = queue.submitAll(IntStream.range(0, 40)
                .mapToObj(i -> TaskSpec.builder("work").build()).toList());
        String cancelled = queue.submit(TaskSpec.builder("work").build());
        assertThat(queue.cancel(cancelled)).isTrue();
        // Nobody has read them: one announcement per transaction waits (the submitAll, the submit, the cancel).
        assertThat(announcements(client)).hasSize(3);

        Map<String, Integer> runs = new ConcurrentHashMap<>();
        member("agent").worker().register("work", ctx -> {
            runs.merge(ctx.taskId(), 1, Integer::sum);
            return null;
        }, 4);

        for (String id : ids) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(runs).containsOnlyKeys(ids).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        assertThat(queue.get(cancelled).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(announcements(client)).isEmpty());
    }
}
