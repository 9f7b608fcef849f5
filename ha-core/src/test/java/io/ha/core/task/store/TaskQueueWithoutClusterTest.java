package io.ha.core.task.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.ZkTestBase;
import org.junit.jupiter.api.Test;

/**
 * The queue's ZooKeeper side stands on its own: built on a bare {@link ClusterContext} (no HaCluster, no leader, no
 * agent), it stores, reads, counts and cancels tasks.
 */
class TaskQueueWithoutClusterTest extends ZkTestBase {
    @Test
    void aQueueOnABareContextStoresReadsAndCancels() throws Exception {
        ClusterContext ctx = context("submitter");
        TaskLayout.ensure(ctx.client(), ctx.paths());
        TaskMetrics metrics = new TaskMetrics();
        TaskQueue queue = new ZooKeeperTaskQueue(ctx, TaskQueue.DEFAULT_MAX_PAYLOAD, metrics);

        String id = queue.submit(TaskSpec.builder("report").payload("q3").idempotencyKey("q3-report").build());

        assertThat(queue.submit(TaskSpec.builder("report").idempotencyKey("q3-report").build())).isEqualTo(id);
        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(TaskState.PENDING);
        assertThat(queue.list(TaskState.PENDING, 10)).extracting(r -> r.id()).containsExactly(id);
        assertThat(queue.cancel(id)).isTrue();
        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(queue.counts()).containsEntry(TaskState.CANCELLED, 1L).containsEntry(TaskState.PENDING, 0L);
        assertThat(metrics.submitted()).isEqualTo(1);
    }
}
