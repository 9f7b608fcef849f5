package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.session.ConnectionPolicy;
import io.ha.core.testing.BlockingHandler;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.proxy.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What happens to tasks when agents, leaders, sessions and servers fail. Nothing acknowledged may be lost. */
class TaskFailoverTest extends ZkTestBase {

    private HaCluster client() throws Exception {
        return member("client", b -> b.role(ClusterRole.OBSERVER));
    }

    private static TaskHandler recordingHandler(Map<String, List<String>> runsByTask) {
        return ctx -> {
            runsByTask.computeIfAbsent(ctx.taskId(), k -> new CopyOnWriteArrayList<>()).add(ctx.agentId());
            return ctx.agentId().getBytes(StandardCharsets.UTF_8);
        };
    }

    @Test
    void tasksOfAnAgentWhoseSessionExpiresAreRunByAnotherWithTheNextAttempt() throws Exception {
        HaCluster a = member("a");
        BlockingHandler blocker = new BlockingHandler();
        a.worker().register("job", blocker, 3);
        TaskQueue queue = client().taskQueue();
        List<String> ids = queue.submitAll(IntStream.range(0, 3).mapToObj(i -> TaskSpec.builder("job").build())
                .toList());
        await().atMost(WAIT).until(() -> blocker.started.size() == 3);

        Map<String, List<String>> runs = new ConcurrentHashMap<>();
        HaCluster b = member("b");
        b.worker().register("job", recordingHandler(runs), 3);
        expireSessionOnServer(a);

        for (String id : ids) {
            TaskRecord done = queue.await(id, WAIT);
            assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(done.agent()).isEqualTo("b");
            assertThat(done.attempt()).isEqualTo(2);
            assertThat(done.history()).anySatisfy(e -> assertThat(e.detail()).contains("agent a"));
        }
        await().atMost(WAIT).until(() -> blocker.interrupted.size() == 3);
        assertThat(queue.counts().get(TaskState.SUCCEEDED)).isEqualTo(3);
        assertThat(a.taskMetrics().ended(TaskState.SUCCEEDED)).isZero();
    }

    @Test
    void tasksOfAnAgentClosedWithoutDrainingGoBackToPending() throws Exception {
        HaCluster a = member("a");
        BlockingHandler blocker = new BlockingHandler();
        a.worker().register("job", blocker, 2);
        HaCluster c = client();
        TaskQueue queue = c.taskQueue();
        List<String> ids = queue.submitAll(List.of(TaskSpec.builder("job").build(), TaskSpec.builder("job").build()));
        await().atMost(WAIT).until(() -> blocker.started.size() == 2);
        HaCluster b = member("b"); // takes over leadership; gets a worker only later

        a.close();

        await().atMost(WAIT).until(() -> queue.counts().get(TaskState.PENDING) == 2);
        for (String id : ids) {
            TaskRecord pending = queue.get(id).orElseThrow();
            assertThat(pending.state()).isEqualTo(TaskState.PENDING);
            assertThat(pending.attempt()).isEqualTo(2);
        }
        Map<String, List<String>> runs = new ConcurrentHashMap<>();
        b.worker().register("job", recordingHandler(runs), 2);
        for (String id : ids) {
            assertThat(queue.await(id, WAIT).agent()).isEqualTo("b");
        }
    }

    @Test
    void drainedAgentHandsItsTasksBackAtOnce() throws Exception {
        HaCluster a = member("a");
        BlockingHandler blocker = new BlockingHandler();
        a.worker().register("job", blocker, 2);
        TaskQueue queue = client().taskQueue();
        List<String> ids = queue.submitAll(List.of(TaskSpec.builder("job").build(), TaskSpec.builder("job").build()));
        await().atMost(WAIT).until(() -> blocker.started.size() == 2);

        a.worker().drain(java.time.Duration.ofMillis(200));

        // Handed back by the agent itself: no waiting for a session to expire, and the agent stays registered.
        assertThat(queue.counts().get(TaskState.PENDING)).isEqualTo(2);
        assertThat(a.membership().isAlive("a")).isTrue();
        assertThat(a.worker().isAccepting()).isFalse();
        Map<String, List<String>> runs = new ConcurrentHashMap<>();
        member("b").worker().register("job", recordingHandler(runs), 2);
        for (String id : ids) {
            assertThat(queue.await(id, WAIT).agent()).isEqualTo("b");
        }
    }

    @Test
    void newLeaderReassignsOrphansOfAnAgentThatDiedWithTheOldLeader() throws Exception {
        HaCluster leader = member("leader");
        assertThat(leader.leaderElection().awaitLeadership(WAIT)).isTrue();
        HaCluster a = member("a");
        BlockingHandler blocker = new BlockingHandler();
        a.worker().register("job", blocker, 2);
        HaCluster b = member("b");
        TaskQueue queue = client().taskQueue();
        List<String> ids = queue.submitAll(List.of(TaskSpec.builder("job").build(), TaskSpec.builder("job").build()));
        await().atMost(WAIT).until(() -> blocker.started.size() == 2);

        // The leader dies first, then the agent: nobody is leading when the agent's node disappears.
        leader.close();
        a.close();

        Map<String, List<String>> runs = new ConcurrentHashMap<>();
        b.worker().register("job", recordingHandler(runs), 2);
        for (String id : ids) {
            TaskRecord done = queue.await(id, WAIT);
            assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(done.agent()).isEqualTo("b");
            assertThat(done.attempt()).isEqualTo(2);
        }
    }

    @Test
    void aTaskAssignedButNotYetClaimedShowsAsAssignedAndCanBeCancelled() throws Exception {
        HaCluster leader = member("leader");
        await().atMost(WAIT).until(() -> leader.leaderElection().isLeader());
        TcpProxy proxy = closeLater(new TcpProxy(server.getPort()));
        HaCluster cut = member("cut", b -> b.connectString(proxy.connectString())
                .connectionPolicy(ConnectionPolicy.LOST_ONLY));
        List<String> ran = new CopyOnWriteArrayList<>();
        cut.worker().register("job", ctx -> {
            ran.add(ctx.taskId());
            return null;
        }, 1);
        TaskQueue queue = client().taskQueue();
        await().atMost(WAIT).until(() -> leader.membership().list().stream()
                .anyMatch(a -> a.id().equals("cut") && a.accepting()));

        // The agent can no longer reach ZooKeeper but its session lives on for a while: the leader assigns to it,
        // and the agent cannot claim (the record stays as the leader left it: PENDING).
        proxy.partition();
        String id = queue.submit(TaskSpec.builder("job").build());
        await().atMost(java.time.Duration.ofSeconds(3)).until(() -> queue.get(id).orElseThrow().state()
                == TaskState.ASSIGNED);

        TaskRecord seen = queue.get(id).orElseThrow();
        assertThat(seen.agent()).isEqualTo("cut");
        assertThat(queue.counts()).containsEntry(TaskState.ASSIGNED, 1L).containsEntry(TaskState.PENDING, 0L);
        assertThat(queue.list(TaskState.ASSIGNED, 10)).extracting(TaskRecord::id).containsExactly(id);
        assertThat(queue.cancel(id)).isTrue();
        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);

        proxy.heal();
        await().atMost(WAIT).until(() -> cut.connectionGuard().isSafe());
        await().pollDelay(java.time.Duration.ofMillis(500)).atMost(WAIT).until(() -> true);
        assertThat(ran).isEmpty();
        assertThat(queue.counts()).containsEntry(TaskState.CANCELLED, 1L).containsEntry(TaskState.ASSIGNED, 0L)
                .containsEntry(TaskState.SUCCEEDED, 0L);
    }

    @Test
    void zombieAgentCannotRecordAnOutcomeAfterItsSessionExpired() throws Exception {
        TcpProxy proxy = closeLater(new TcpProxy(server.getPort()));
        // LOST_ONLY keeps the zombie's handler running through the partition; it ignores interruption, too.
        HaCluster zombie = member("zombie", b -> b.connectString(proxy.connectString())
                .connectionPolicy(ConnectionPolicy.LOST_ONLY));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        zombie.worker().register("job", ctx -> {
            started.countDown();
            while (finish.getCount() > 0) {
                try {
                    finish.await();
                } catch (InterruptedException ignored) {
                    // A badly behaved handler: keeps going after being interrupted.
                }
            }
            return "zombie".getBytes(StandardCharsets.UTF_8);
        }, 1);
        TaskQueue queue = client().taskQueue();
        String id = queue.submit(TaskSpec.builder("job").build());
        assertThat(started.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        proxy.partition();
        Map<String, List<String>> runs = new ConcurrentHashMap<>();
        member("healthy").worker().register("job", recordingHandler(runs), 1);
        TaskRecord done = queue.await(id, WAIT);
        assertThat(done.agent()).isEqualTo("healthy");

        proxy.heal();
        finish.countDown();
        await().atMost(WAIT).until(() -> zombie.connectionGuard().isSafe());
        // Give the zombie every chance to (wrongly) record its outcome.
        await().pollDelay(java.time.Duration.ofSeconds(1)).atMost(WAIT).until(() -> true);

        TaskRecord after = queue.get(id).orElseThrow();
        assertThat(after.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(after.result(), StandardCharsets.UTF_8)).isEqualTo("healthy");
        assertThat(queue.counts().get(TaskState.SUCCEEDED)).isEqualTo(1);
        assertThat(zombie.taskMetrics().ended(TaskState.SUCCEEDED)).isZero();
    }

    @Test
    void handlerIsInterruptedWhenTheAgentLosesItsSession() throws Exception {
        HaCluster a = member("a");
        BlockingHandler blocker = new BlockingHandler();
        a.worker().register("job", blocker, 1);
        TaskQueue queue = client().taskQueue();
        String id = queue.submit(TaskSpec.builder("job").build());
        await().atMost(WAIT).until(() -> blocker.started.size() == 1);

        killSessionOnClient(a);

        await().atMost(WAIT).until(() -> blocker.interrupted.contains(id));
    }

    @Test
    void acknowledgedTasksSurviveAZooKeeperServerRestart() throws Exception {
        Map<String, List<String>> runs = new ConcurrentHashMap<>();
        HaCluster a = member("a");
        a.worker().register("job", recordingHandler(runs), 4);
        TaskQueue queue = client().taskQueue();
        List<String> before = queue.submitAll(IntStream.range(0, 100).mapToObj(i -> TaskSpec.builder("job").build())
                .toList());

        server.restart();
        List<String> after = queue.submitAll(IntStream.range(0, 100).mapToObj(i -> TaskSpec.builder("job").build())
                .toList());

        for (String id : before) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        for (String id : after) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(queue.counts().get(TaskState.SUCCEEDED)).isEqualTo(200);
    }

    @Test
    void acknowledgedTasksSurviveTheLeadersSessionLoss() throws Exception {
        HaCluster leader = member("leader");
        assertThat(leader.leaderElection().awaitLeadership(WAIT)).isTrue();
        Map<String, List<String>> runs = new ConcurrentHashMap<>();
        member("a").worker().register("job", recordingHandler(runs), 4);
        member("b").worker().register("job", recordingHandler(runs), 4);
        TaskQueue queue = client().taskQueue();

        List<String> ids = queue.submitAll(IntStream.range(0, 200).mapToObj(i -> TaskSpec.builder("job").build())
                .toList());
        killSessionOnClient(leader);
        ids = new java.util.ArrayList<>(ids);
        ids.addAll(queue.submitAll(IntStream.range(0, 100).mapToObj(i -> TaskSpec.builder("job").build()).toList()));

        for (String id : ids) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(runs.keySet()).containsAll(ids);
    }
}
