package io.ha.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.membership.AgentInfo;
import io.ha.core.session.EventKind;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.LedgerLeaderService;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.check.LeaderLedger;
import io.ha.testkit.zk.Ensemble;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Losing one server of a three-server ensemble keeps exactly one leader and the full membership, and the task queue
 * records every task's outcome once.
 */
class ServerLossTest {
    private Ensemble ensemble;
    private final List<HaCluster> members = new ArrayList<>();
    private final LeaderLedger ledger = new LeaderLedger();

    @BeforeEach
    void startEnsemble() throws Exception {
        ensemble = Ensemble.start(3, ZkTestBase.TICK_MS);
        for (String id : List.of("a", "b", "c")) {
            HaCluster member = HaCluster.builder()
                    .connectString(ensemble.connectString())
                    .clusterName("test")
                    .agentId(id)
                    .sessionTimeout(ZkTestBase.SESSION)
                    .connectionTimeout(ZkTestBase.CONNECTION)
                    .build();
            members.add(member);
            member.start();
            member.leaderElection().addService("probe", LedgerLeaderService.recordingInto(ledger));
        }
    }

    @AfterEach
    void stopEnsemble() throws Exception {
        members.forEach(HaCluster::close);
        ensemble.close();
    }

    @Test
    void losingTheServerOfTheLeaderKeepsOneLeaderAndFullMembership() throws Exception {
        HaCluster leader = awaitSingleLeader();
        awaitFullMembership();

        int leadersServer = ensemble.serverOf(leader.curator().getZookeeperClient().getZooKeeper());
        assertThat(ensemble.kill(leadersServer)).isTrue();
        sampleAtMostOneLeader();
        awaitSingleLeader();
        awaitFullMembership();

        // Bring it back and lose the server of a follower as well.
        assertThat(ensemble.restart(leadersServer)).isTrue();
        HaCluster follower = members.stream().filter(m -> !m.leaderElection().isLeader()).findFirst().orElseThrow();
        int followersServer = ensemble.serverOf(follower.curator().getZookeeperClient().getZooKeeper());
        assertThat(ensemble.kill(followersServer)).isTrue();
        sampleAtMostOneLeader();
        awaitSingleLeader();
        awaitFullMembership();

        assertThat(ledger.check().assertClean().maxConcurrent()).isEqualTo(1);
        // Sessions survive the loss of one server: no member ever lost its session or saw another leave.
        for (HaCluster m : members) {
            assertThat(m.timeline().ofKind(EventKind.LOST)).as("LOST events of %s", m.agentId()).isEmpty();
            assertThat(m.timeline().ofKind(EventKind.LEFT)).as("LEFT events of %s", m.agentId()).isEmpty();
        }
    }

    /**
     * The task queue across the loss of a server: first the server of the dispatching leader, then (with that one
     * back) the server of a worker. Every task ends SUCCEEDED with one outcome, and no session is lost.
     */
    @Test
    void everyTaskIsRecordedOnceWhenServersOfTheLeaderAndOfAWorkerAreLost() throws Exception {
        HaCluster leader = awaitSingleLeader();
        awaitFullMembership();
        for (HaCluster m : members) {
            m.worker().register("work", ctx -> {
                Thread.sleep(10);
                return null;
            }, 4);
        }
        TaskQueue queue = members.get(0).taskQueue();
        List<String> ids = queue.submitAll(IntStream.range(0, 3000)
                .mapToObj(i -> TaskSpec.builder("work").payload("n" + i).build()).toList());

        await().atMost(ZkTestBase.WAIT).until(() -> succeeded(queue) >= 300);
        int leadersServer = ensemble.serverOf(leader.curator().getZookeeperClient().getZooKeeper());
        assertThat(ensemble.kill(leadersServer)).isTrue();
        assertThat(succeeded(queue)).as("tasks done when the leader's server went").isLessThan(ids.size());
        await().atMost(ZkTestBase.WAIT).until(() -> succeeded(queue) >= 600);
        assertThat(ensemble.restart(leadersServer)).isTrue();
        await().atMost(ZkTestBase.WAIT).until(() -> succeeded(queue) >= 1200);
        HaCluster worker = members.stream().filter(m -> !m.leaderElection().isLeader()).findFirst().orElseThrow();
        int workersServer = ensemble.serverOf(worker.curator().getZookeeperClient().getZooKeeper());
        assertThat(ensemble.kill(workersServer)).isTrue();
        assertThat(succeeded(queue)).as("tasks done when a worker's server went").isLessThan(ids.size());

        for (String id : ids) {
            TaskRecord done = queue.await(id, ZkTestBase.WAIT);
            assertThat(done.state()).as("task %s", id).isEqualTo(TaskState.SUCCEEDED);
        }
        Map<TaskState, Long> counts = queue.counts();
        assertThat(counts.get(TaskState.SUCCEEDED)).isEqualTo(ids.size());
        assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(ids.size());
        for (HaCluster m : members) {
            assertThat(m.timeline().ofKind(EventKind.LOST)).as("LOST events of %s", m.agentId()).isEmpty();
        }
    }

    private static long succeeded(TaskQueue queue) throws Exception {
        return queue.counts().get(TaskState.SUCCEEDED);
    }

    private void sampleAtMostOneLeader() throws InterruptedException {
        long until = System.nanoTime() + ZkTestBase.SESSION.multipliedBy(2).toNanos();
        while (System.nanoTime() < until) {
            assertThat(members.stream().filter(m -> m.leaderElection().isLeader()).count())
                    .as("leaders at one instant").isLessThanOrEqualTo(1);
            Thread.sleep(20);
        }
    }

    private HaCluster awaitSingleLeader() {
        return await().atMost(ZkTestBase.WAIT).until(() -> {
            List<HaCluster> leaders = members.stream().filter(m -> m.leaderElection().isLeader()).toList();
            return leaders.size() == 1 ? leaders.get(0) : null;
        }, m -> m != null);
    }

    private void awaitFullMembership() {
        await().atMost(ZkTestBase.WAIT).untilAsserted(() -> {
            for (HaCluster m : members) {
                assertThat(m.membership().list()).extracting(AgentInfo::id).containsExactly("a", "b", "c");
            }
        });
    }
}
