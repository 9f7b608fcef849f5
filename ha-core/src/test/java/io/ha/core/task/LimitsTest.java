package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.session.ConnectionPolicy;
import io.ha.core.testing.BlockingHandler;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.proxy.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Cluster-wide limits as the handlers see them: every run appends its (start, end, agent) to a log shared by the
 * test, and the log is checked for overlaps and start rates. Real servers, real sessions, the leader killed mid-run.
 */
class LimitsTest extends ZkTestBase {
    private static final String TYPE = "limited";

    /** One handler run as the handler saw it, on this JVM's monotonic clock. */
    private record Run(String taskId, String key, String agent, long start, long end) {
    }

    private final ConcurrentLinkedQueue<Run> log = new ConcurrentLinkedQueue<>();
    /** While set, handlers that start wait for it instead of working (to keep tasks running across a failover). */
    private volatile CountDownLatch hold;
    private final AtomicInteger holding = new AtomicInteger();

    /** A handler that works for 20-60 ms and logs its run, with the concurrency key its payload names. */
    private TaskHandler logging() {
        return ctx -> {
            long start = System.nanoTime();
            CountDownLatch h = hold;
            if (h != null) {
                holding.incrementAndGet();
                h.await();
            } else {
                Thread.sleep(ThreadLocalRandom.current().nextInt(20, 60)); // the task's work
            }
            log.add(new Run(ctx.taskId(), ctx.payloadAsString(), ctx.agentId(), start, System.nanoTime()));
            return null;
        };
    }

    private HaCluster client() throws Exception {
        return member("client", b -> b.role(ClusterRole.OBSERVER));
    }

    private static List<Long> sessionIds(List<HaCluster> clusters) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (HaCluster c : clusters) {
            ids.add(c.curator().getZookeeperClient().getZooKeeper().getSessionId());
        }
        return ids;
    }

    /** The largest number of runs that overlap at one instant (an end and a start at the same instant do not). */
    private static int maxOverlap(List<Run> runs) {
        List<long[]> edges = new ArrayList<>();
        for (Run r : runs) {
            edges.add(new long[] {r.start(), 1});
            edges.add(new long[] {r.end(), -1});
        }
        edges.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        int now = 0;
        int max = 0;
        for (long[] e : edges) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }

    private static List<TaskSpec> tasks(int n) {
        return IntStream.range(0, n).mapToObj(i -> TaskSpec.builder(TYPE).build()).toList();
    }

    @Test
    void noMoreThanMaxRunningOverlapAcrossAllAgentsWhileTheLeaderIsKilled() throws Exception {
        HaCluster first = member("leader-1");
        await().atMost(WAIT).until(() -> first.leaderElection().isLeader());
        HaCluster second = member("leader-2"); // next in line; neither leader runs tasks
        List<HaCluster> workers = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            HaCluster w = member("w" + i);
            w.worker().register(TYPE, logging(), 3);
            workers.add(w);
        }
        List<Long> sessions = sessionIds(workers);
        HaCluster client = client();
        client.limits().set(TypeLimit.of(TYPE).maxRunning(3).build());
        TaskQueue queue = client.taskQueue();

        List<String> ids = queue.submitAll(tasks(120));
        await().atMost(WAIT).until(() -> log.size() >= 20);
        // Three tasks (the limit) keep running across the failover: the new leader must count them before it
        // assigns anything, or it starts three more beside them.
        CountDownLatch release = new CountDownLatch(1);
        hold = release;
        await().atMost(WAIT).until(() -> holding.get() == 3);
        expireSessionOnServer(first);
        await().atMost(WAIT).until(() -> second.leaderElection().isLeader());
        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> holding.get() == 3);
        hold = null;
        release.countDown();
        for (String id : ids) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }

        assertThat(second.leaderElection().isLeader()).isTrue();
        // No worker's session expired, so there is no zombie: the limit holds strictly.
        assertThat(sessionIds(workers)).isEqualTo(sessions);
        List<Run> runs = List.copyOf(log);
        assertThat(runs).hasSize(ids.size());
        assertThat(maxOverlap(runs)).isEqualTo(3);
        assertThat(runs.stream().map(Run::agent).distinct().count()).isGreaterThan(1);
    }

    @Test
    void aPerKeyLimitOfOneNeverOverlapsForAKeyWhileKeysRunSideBySide() throws Exception {
        for (int i = 1; i <= 2; i++) {
            member("w" + i).worker().register(TYPE, logging(), 4);
        }
        HaCluster client = client();
        client.limits().set(TypeLimit.of(TYPE).perKey(1).build());
        TaskQueue queue = client.taskQueue();
        List<String> ids = queue.submitAll(IntStream.range(0, 40).mapToObj(i -> "c" + (i % 4))
                .map(key -> TaskSpec.builder(TYPE).concurrencyKey(key).payload(key).build()).toList());
        for (String id : ids) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }

        Map<String, List<Run>> byKey = log.stream().collect(Collectors.groupingBy(Run::key));
        assertThat(byKey).hasSize(4);
        byKey.forEach((key, runs) -> assertThat(maxOverlap(runs)).as("runs of key %s", key).isEqualTo(1));
        assertThat(maxOverlap(List.copyOf(log))).isGreaterThan(1); // keys are not one global mutex
    }

    @Test
    void tasksALimitHoldsBackAtTheHeadDoNotHoldBackOtherTypes() throws Exception {
        HaCluster w = member("w1");
        BlockingHandler blocker = new BlockingHandler();
        w.worker().register(TYPE, blocker, 4);
        w.worker().register("other", logging(), 1);
        HaCluster client = client();
        client.limits().set(TypeLimit.of(TYPE).maxRunning(1).build());
        await().atMost(WAIT).until(() -> client.limits().get(TYPE).isPresent());
        TaskQueue queue = client.taskQueue();
        queue.submitAll(IntStream.range(0, 20).mapToObj(i -> TaskSpec.builder(TYPE).build()).toList());
        await().atMost(WAIT).until(() -> blocker.started.size() == 1);

        // Behind 19 limited tasks, more than the free slots: a round that offered only the first would place none.
        String other = queue.submit(TaskSpec.builder("other").payload("-").build());

        assertThat(queue.await(other, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(blocker.started).hasSize(1);
        blocker.release.countDown();
    }

    @Test
    void aDisconnectedAgentsTaskCountsUntilItsSessionExpiresAndIsTakenBack() throws Exception {
        HaCluster leader = member("leader");
        await().atMost(WAIT).until(() -> leader.leaderElection().isLeader());
        TcpProxy proxy = closeLater(new TcpProxy(server.getPort()));
        // LOST_ONLY keeps the cut agent's handler running through the partition, as a slow zombie's would.
        HaCluster cut = member("cut", b -> b.connectString(proxy.connectString())
                .connectionPolicy(ConnectionPolicy.LOST_ONLY));
        BlockingHandler blocker = new BlockingHandler();
        cut.worker().register(TYPE, blocker, 1);
        HaCluster client = client();
        client.limits().set(TypeLimit.of(TYPE).maxRunning(1).build());
        await().atMost(WAIT).until(() -> client.limits().get(TYPE).isPresent());
        TaskQueue queue = client.taskQueue();
        String first = queue.submit(TaskSpec.builder(TYPE).build());
        await().atMost(WAIT).until(() -> blocker.started.size() == 1);

        List<Boolean> cutAliveAtStart = new java.util.concurrent.CopyOnWriteArrayList<>();
        member("healthy").worker().register(TYPE, ctx -> {
            cutAliveAtStart.add(leader.membership().isAlive("cut"));
            return null;
        }, 1);
        String second = queue.submit(TaskSpec.builder(TYPE).build());
        proxy.partition();

        // The cut agent's assignment counts until its session expires and the leader takes the task back: only then
        // does the healthy agent start anything (then the first task's handler may still run: the zombie gap).
        assertThat(queue.await(second, WAIT).agent()).isEqualTo("healthy");
        TaskRecord firstDone = queue.await(first, WAIT);
        assertThat(firstDone.agent()).isEqualTo("healthy");
        assertThat(firstDone.attempt()).isEqualTo(2);
        assertThat(cutAliveAtStart).hasSize(2).containsOnly(false);
    }

    @Test
    void startsPerSecondNeverExceedRatePlusBurst() throws Exception {
        double rate = 5;
        int burst = 2;
        HaCluster w = member("w1");
        w.worker().register(TYPE, logging(), 20);
        HaCluster client = client();
        client.limits().set(TypeLimit.of(TYPE).rate(rate, burst).build());
        await().atMost(WAIT).until(() -> client.limits().get(TYPE).isPresent());
        TaskQueue queue = client.taskQueue();
        // The tasks run until all have started: no task ends, so nothing but the next token wakes the dispatcher.
        CountDownLatch release = new CountDownLatch(1);
        hold = release;

        List<String> ids = queue.submitAll(IntStream.range(0, 20).mapToObj(i -> TaskSpec.builder(TYPE).build())
                .toList());
        await().atMost(WAIT).until(() -> holding.get() == ids.size());
        release.countDown();
        for (String id : ids) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }

        List<Long> starts = log.stream().map(Run::start).sorted().toList();
        long busiest = 0;
        for (long from : starts) {
            long inWindow = starts.stream().filter(t -> t >= from && t < from + 1_000_000_000L).count();
            assertThat(inWindow).as("starts in the second from %d", from).isLessThanOrEqualTo((long) (rate + burst));
            busiest = Math.max(busiest, inWindow);
        }
        // And the rate is reached: the dispatcher wakes when a token is due, not once a second.
        assertThat(busiest).isGreaterThanOrEqualTo((long) rate);
    }

    @Test
    void aNewLeadersRateBucketStartsEmptySoFailoverGrantsNoSecondBurst() throws Exception {
        double rate = 2;
        int burst = 4;
        HaCluster first = member("leader-1");
        await().atMost(WAIT).until(() -> first.leaderElection().isLeader());
        HaCluster second = member("leader-2");
        member("w1").worker().register(TYPE, logging(), 20);
        HaCluster client = client();
        client.limits().set(TypeLimit.of(TYPE).rate(rate, burst).build());
        await().atMost(WAIT).until(() -> client.limits().get(TYPE).isPresent());
        // Nothing to wait for but the clock: the first leader's bucket fills to its burst while no task is pending.
        Thread.sleep((long) (1000 * burst / rate) + 500);
        TaskQueue queue = client.taskQueue();
        List<String> ids = queue.submitAll(tasks(12));
        await().atMost(WAIT).until(() -> log.size() >= burst); // the first leader's burst

        expireSessionOnServer(first);
        await().atMost(WAIT).until(() -> second.leaderElection().isLeader());
        for (String id : ids) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }

        List<Long> starts = log.stream().map(Run::start).sorted().toList();
        for (long from : starts) {
            long inWindow = starts.stream().filter(t -> t >= from && t < from + 1_000_000_000L).count();
            assertThat(inWindow).as("starts in the second from %d", from).isLessThanOrEqualTo((long) (rate + burst));
        }
    }

    @Test
    void limitsChangedAtRunTimeTakeEffectAndUsageShowsWhatRuns() throws Exception {
        HaCluster w = member("w1");
        BlockingHandler blocker = new BlockingHandler();
        w.worker().register(TYPE, blocker, 10);
        HaCluster client = client();
        Limits limits = client.limits();
        limits.set(TypeLimit.of(TYPE).maxRunning(1).build());
        await().atMost(WAIT).until(() -> limits.get(TYPE).isPresent());
        TaskQueue queue = client.taskQueue();
        List<String> ids = queue.submitAll(List.of(TaskSpec.builder(TYPE).concurrencyKey("c1").build(),
                TaskSpec.builder(TYPE).concurrencyKey("c1").build(), TaskSpec.builder(TYPE).build(),
                TaskSpec.builder(TYPE).build()));

        await().atMost(WAIT).until(() -> blocker.started.size() == 1);
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> blocker.started.size() == 1);
        assertThat(limits.usage()).singleElement().satisfies(u -> assertThat(u.running()).isEqualTo(1));

        limits.set(TypeLimit.of(TYPE).maxRunning(3).build());
        await().atMost(WAIT).until(() -> blocker.started.size() == 3);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> blocker.started.size() == 3);
        LimitUsage usage = limits.usage().get(0);
        assertThat(usage.limit().maxRunning()).isEqualTo(3);
        assertThat(usage.running()).isEqualTo(3);
        assertThat(usage.runningByKey()).containsEntry("c1", 2);

        assertThat(limits.remove(TYPE)).isTrue();
        await().atMost(WAIT).until(() -> blocker.started.size() == 4);
        assertThat(limits.list()).isEmpty();
        assertThat(limits.remove(TYPE)).isFalse();
        blocker.release.countDown();
        for (String id : ids) {
            assertThat(queue.await(id, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }

    @Test
    void badLimitsAreRefusedWithTheFieldAndValueAndNothingIsStored() throws Exception {
        Limits limits = client().limits();
        limits.set(TypeLimit.of("x").maxRunning(2).build());

        assertThatThrownBy(() -> limits.set(TypeLimit.of("x").maxRunning(0).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max running of type 'x' must be at least 1, got 0");
        assertThatThrownBy(() -> limits.set(TypeLimit.of("x").rate(-1, 1).build()))
                .hasMessage("rate of type 'x' must be above 0 per second, got -1.0");
        assertThatThrownBy(() -> limits.set(TypeLimit.of("x").perKey(-3).build()))
                .hasMessage("per-key limit of type 'x' must be at least 1, got -3");
        assertThatThrownBy(() -> limits.set(TypeLimit.of("x").rate(2, 0).build()))
                .hasMessage("burst of type 'x' must be at least 1, got 0");
        assertThatThrownBy(() -> limits.set(TypeLimit.of("x").build()))
                .hasMessageContaining("limit of type 'x' sets nothing");
        assertThatThrownBy(() -> limits.set(TypeLimit.of("a/b").maxRunning(1).build()))
                .hasMessageContaining("must not contain '/'");

        assertThat(limits.list()).containsExactly(TypeLimit.of("x").maxRunning(2).build());
        assertThat(limits.get("y")).isEmpty();
    }
}
