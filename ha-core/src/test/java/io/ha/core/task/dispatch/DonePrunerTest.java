package io.ha.core.task.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.NoSuchGroupException;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.GroupState;
import io.ha.core.task.GroupSubmission;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.task.store.TaskStore;
import io.ha.core.testing.BlockingHandler;
import io.ha.core.testing.ZkTestBase;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DonePrunerTest extends ZkTestBase {

    @Test
    void recordsOlderThanTheRetentionGoWithTheirKeys() throws Exception {
        HaCluster ops = member("ops", b -> b.role(ClusterRole.OBSERVER));
        TaskQueue queue = ops.taskQueue();
        List<String> ids = queue.submitAll(IntStream.range(0, 50)
                .mapToObj(i -> TaskSpec.builder("x").idempotencyKey("k" + i).build()).toList());
        ids.forEach(id -> {
            try {
                queue.cancel(id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        DonePruner pruner = new DonePruner(new TaskStore(ops.curator(), paths(ops)), Duration.ofHours(1), 1_000_000, Duration.ofMinutes(1), WAIT);

        assertThat(pruner.pruneOnce(System.currentTimeMillis())).isZero(); // all younger than an hour
        assertThat(pruner.pruneOnce(System.currentTimeMillis() + Duration.ofHours(2).toMillis())).isEqualTo(50);

        assertThat(queue.counts().get(TaskState.CANCELLED)).isZero();
        assertThat(queue.get(ids.get(0))).isEmpty();
        // The key is free again: the same key now makes a new task.
        assertThat(queue.submit(TaskSpec.builder("x").idempotencyKey("k0").build())).isNotEqualTo(ids.get(0));
    }

    @Test
    void atMostTheLimitPerStateIsKeptNewestFirst() throws Exception {
        HaCluster agent = member("agent");
        agent.worker().register("x", ctx -> null, 16);
        TaskQueue queue = agent.taskQueue();
        List<String> ids = queue.submitAll(IntStream.range(0, 300).mapToObj(i -> TaskSpec.builder("x").build())
                .toList());
        await().atMost(WAIT).until(() -> queue.counts().get(TaskState.SUCCEEDED) == 300);
        DonePruner pruner = new DonePruner(new TaskStore(agent.curator(), paths(agent)), Duration.ofDays(7), 256, Duration.ofMinutes(1), WAIT);

        int pruned = pruner.pruneOnce(System.currentTimeMillis());

        long kept = queue.counts().get(TaskState.SUCCEEDED);
        assertThat(kept).isLessThanOrEqualTo(256).isEqualTo(300 - pruned);
        assertThat(queue.get(ids.get(ids.size() - 1))).isPresent(); // the newest survives in its bucket
    }

    @Test
    void membersOfAGroupAreKeptUntilItsJoinHasEndedThenPrunedWithTheGroup() throws Exception {
        HaCluster agent = member("agent");
        agent.worker().register("part", ctx -> null, 4);
        BlockingHandler join = new BlockingHandler();
        agent.worker().register("merge", join, 1);
        TaskQueue queue = agent.taskQueue();
        GroupSubmission group = queue.submitGroup(IntStream.range(0, 40).mapToObj(i -> TaskSpec.builder("part")
                .build()).toList(), TaskSpec.builder("merge").build());
        await().atMost(WAIT).until(() -> join.started.size() == 1);
        DonePruner pruner = new DonePruner(new TaskStore(agent.curator(), paths(agent)), Duration.ofHours(1),
                1_000_000, Duration.ofMinutes(1), WAIT);
        long later = System.currentTimeMillis() + Duration.ofHours(2).toMillis();

        assertThat(pruner.pruneOnce(later)).isZero(); // the join runs: its members and the group stay
        assertThat(queue.counts().get(TaskState.SUCCEEDED)).isEqualTo(40);

        join.release.countDown();
        await().atMost(WAIT).until(() -> queue.group(group.groupId()).state() == GroupState.ENDED);
        assertThat(pruner.pruneOnce(later)).isEqualTo(40 + 1 + 1); // members, join, group
        assertThat(queue.get(group.memberIds().get(0))).isEmpty();
        assertThatThrownBy(() -> queue.group(group.groupId())).isInstanceOf(NoSuchGroupException.class);
    }
}
