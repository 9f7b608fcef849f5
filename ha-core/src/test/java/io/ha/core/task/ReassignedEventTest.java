package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.session.ClusterEvent;
import io.ha.core.session.EventKind;
import io.ha.core.testing.BlockingHandler;
import io.ha.core.testing.ZkTestBase;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The leader's timeline says when it took back a departed agent's tasks: one event per agent and sweep. */
class ReassignedEventTest extends ZkTestBase {

    private record Pair(HaCluster leader, HaCluster a) {
    }

    /** A leader (without a worker) and agent {@code a} holding {@code n} tasks of type {@code job}. */
    private Pair leaderWithAgentHolding(BlockingHandler blocker, int n) throws Exception {
        HaCluster leader = member("leader");
        assertThat(leader.leaderElection().awaitLeadership(WAIT)).isTrue();
        HaCluster a = member("a");
        a.worker().register("job", blocker, n);
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
        queue.submitAll(IntStream.range(0, n).mapToObj(i -> TaskSpec.builder("job").build()).toList());
        await().atMost(WAIT).until(() -> blocker.started.size() == n);
        return new Pair(leader, a);
    }

    @Test
    void leaderRecordsOneReassignedEventWithTheCountWhenAnAgentHoldingTasksCloses() throws Exception {
        BlockingHandler blocker = new BlockingHandler();
        Pair p = leaderWithAgentHolding(blocker, 3);
        HaCluster leader = p.leader();
        assertThat(leader.timeline().ofKind(EventKind.REASSIGNED)).isEmpty();

        p.a().close();

        await().atMost(WAIT).until(() -> !leader.timeline().ofKind(EventKind.REASSIGNED).isEmpty());
        List<ClusterEvent> events = leader.timeline().ofKind(EventKind.REASSIGNED);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).detail()).startsWith("3 tasks of agent a reassigned").doesNotContain("DEAD");
        assertThat(events.get(0).token()).isEqualTo(leader.leaderElection().currentEpoch());
    }

    @Test
    void leaderRecordsReassignedWhenTheSessionOfAnAgentHoldingTasksExpires() throws Exception {
        BlockingHandler blocker = new BlockingHandler();
        Pair p = leaderWithAgentHolding(blocker, 2);
        HaCluster leader = p.leader();
        HaCluster b = member("b");

        expireSessionOnServer(p.a());

        await().atMost(WAIT).until(() -> !leader.timeline().ofKind(EventKind.REASSIGNED).isEmpty());
        List<ClusterEvent> events = leader.timeline().ofKind(EventKind.REASSIGNED);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).detail()).startsWith("2 tasks of agent a reassigned").contains("left");
        // Only the leader reassigns: another member sees a leave, never a reassignment.
        await().atMost(WAIT).until(() -> b.timeline().ofKind(EventKind.LEFT).stream()
                .anyMatch(e -> e.detail().equals("agent a")));
        assertThat(b.timeline().ofKind(EventKind.REASSIGNED)).isEmpty();
    }

    @Test
    void aTaskWithoutAttemptsLeftIsCountedAsDead() throws Exception {
        HaCluster leader = member("leader");
        assertThat(leader.leaderElection().awaitLeadership(WAIT)).isTrue();
        BlockingHandler blocker = new BlockingHandler();
        HaCluster a = member("a");
        a.worker().register("job", blocker, 2);
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
        queue.submitAll(List.of(TaskSpec.builder("job").maxAttempts(1).build(), TaskSpec.builder("job").build()));
        await().atMost(WAIT).until(() -> blocker.started.size() == 2);

        expireSessionOnServer(a);

        await().atMost(WAIT).until(() -> !leader.timeline().ofKind(EventKind.REASSIGNED).isEmpty());
        assertThat(leader.timeline().ofKind(EventKind.REASSIGNED).get(0).detail())
                .startsWith("2 tasks of agent a reassigned (1 to DEAD, no attempts left)");
    }
}
