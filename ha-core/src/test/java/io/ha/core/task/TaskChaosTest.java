package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.internal.ZPaths;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.proxy.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A randomized test: a few thousand tasks over four workers while their sessions are expired on the server, killed on
 * the client or cut off by a network partition at random, the leader's included. Checks that submitted == SUCCEEDED +
 * DEAD, that no task has two outcomes and that no task is stuck at the end.
 *
 * <p>Chaos lasts {@code -Dha.chaos.seconds} (20 by default, 300 with {@code -Pchaos}); the number of tasks scales with
 * it. All random choices of the chaos and submit threads come from one seed, logged at the start; replay a failure
 * with {@code -Dha.chaos.seed=<seed>} (thread timing still differs between runs, so a replay is close, not exact).
 */
class TaskChaosTest extends ZkTestBase {
    private static final Logger LOG = LoggerFactory.getLogger(TaskChaosTest.class);
    private static final int WORKERS = 4;
    private static final int CONCURRENCY = 8;
    private static final int TASKS_PER_SECOND = 150;
    private static final int MAX_ATTEMPTS = 10;
    /** Handler runs that throw, so the worker's own retry path is part of the mix. */
    private static final int FAILURE_PERCENT = 3;
    private static final String TYPE = "chaos";

    /** One handler run as the handler saw it. */
    private record Run(String taskId, String agent, int attempt) {
    }

    /** A worker member and the proxy it reaches ZooKeeper through (so it can be cut off). */
    private record Member(String id, TcpProxy proxy, HaCluster cluster) {
    }

    private enum Action { EXPIRE_ON_SERVER, KILL_ON_CLIENT, PARTITION }

    @Test
    void everyTaskEndsExactlyOnceWhileSessionsAreKilledAtRandom() throws Exception {
        int seconds = Integer.getInteger("ha.chaos.seconds", 20);
        long seed = Long.getLong("ha.chaos.seed", new SecureRandom().nextLong());
        int total = TASKS_PER_SECOND * seconds;
        LOG.info("chaos seed {}: {} s of chaos over {} workers, {} tasks; replay with -Dha.chaos.seed={}", seed,
                seconds, WORKERS, total, seed);
        Random seeds = new Random(seed);
        Random chaosRandom = new Random(seeds.nextLong());
        Random submitRandom = new Random(seeds.nextLong());

        ConcurrentLinkedQueue<Run> runs = new ConcurrentLinkedQueue<>();
        TaskHandler handler = ctx -> {
            runs.add(new Run(ctx.taskId(), ctx.agentId(), ctx.attempt()));
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 6));
            if (ThreadLocalRandom.current().nextInt(100) < FAILURE_PERCENT) {
                throw new IllegalStateException("injected failure");
            }
            return (ctx.agentId() + "/" + ctx.attempt()).getBytes(StandardCharsets.UTF_8);
        };
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= WORKERS; i++) {
            TcpProxy proxy = closeLater(new TcpProxy(server.getPort()));
            HaCluster cluster = member("w" + i, b -> b.connectString(proxy.connectString()).capacity(CONCURRENCY));
            cluster.worker().register(TYPE, handler, CONCURRENCY);
            members.add(new Member("w" + i, proxy, cluster));
        }
        // The observer talks to the server directly and is never disturbed: every submit it makes is acknowledged.
        HaCluster observer = member("observer", b -> b.role(ClusterRole.OBSERVER));
        TaskQueue queue = observer.taskQueue();

        long started = System.nanoTime();
        long chaosEnd = started + Duration.ofSeconds(seconds).toNanos();
        AtomicReference<Throwable> chaosFailure = new AtomicReference<>();
        Map<Action, Integer> actions = new EnumMap<>(Action.class);
        int[] leaderHits = new int[1];
        Thread chaos = new Thread(() -> {
            try {
                runChaos(members, chaosRandom, chaosEnd, actions, leaderHits);
            } catch (Throwable t) {
                chaosFailure.set(t);
            }
        }, "chaos");
        chaos.setDaemon(true);
        chaos.start();

        // Submit in batches spread over the first 80% of the chaos, in random sizes and priorities.
        List<String> ids = new ArrayList<>(total);
        long submitSpan = Duration.ofSeconds(seconds).toNanos() * 8 / 10;
        while (ids.size() < total) {
            int n = Math.min(total - ids.size(), 1 + submitRandom.nextInt(120));
            List<TaskSpec> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(TaskSpec.builder(TYPE).payload("task-" + (ids.size() + i))
                        .priority(submitRandom.nextInt(5) * 100).maxAttempts(MAX_ATTEMPTS)
                        .retryBackoff(Duration.ofMillis(10)).build());
            }
            ids.addAll(queue.submitAll(batch));
            long due = started + submitSpan * ids.size() / total;
            long ahead = due - System.nanoTime();
            if (ahead > 0) {
                Thread.sleep(ahead / 1_000_000); // pacing the submitter, not waiting for an outcome
            }
        }
        long submittedMs = (System.nanoTime() - started) / 1_000_000;
        chaos.join();
        if (chaosFailure.get() != null) {
            throw new AssertionError("chaos thread failed (seed " + seed + ")", chaosFailure.get());
        }
        long chaosMs = (System.nanoTime() - started) / 1_000_000;
        LOG.info("chaos over after {} ms (all {} tasks submitted after {} ms): {} actions, {} on the leader", chaosMs,
                ids.size(), submittedMs, actions, leaderHits[0]);
        assertThat(ids).as("seed %s", seed).hasSize(total).doesNotHaveDuplicates();

        // Everyone back: every member connected and registered, so nothing waits for a lost agent.
        await().atMost(WAIT).until(() -> members.stream().allMatch(m -> m.cluster().connectionGuard().isSafe()));
        await().atMost(WAIT).until(() -> observer.membership().size() == WORKERS);
        try {
            // Generous: a worker claims its tasks one at a time, so some 100 tasks/s end on this kind of machine.
            await().atMost(Duration.ofSeconds(Math.max(90, total / 40))).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        Map<TaskState, Long> c = queue.counts();
                        return c.get(TaskState.PENDING) + c.get(TaskState.ASSIGNED) + c.get(TaskState.RUNNING) == 0
                                && c.get(TaskState.SUCCEEDED) + c.get(TaskState.DEAD) >= total;
                    });
        } catch (ConditionTimeoutException e) {
            fail("tasks stuck after the chaos ended (seed " + seed + "): counts " + queue.counts() + "\n"
                    + describeUnfinished(queue, observer.curator(), ids));
        }
        long drainedMs = (System.nanoTime() - started) / 1_000_000;

        // One terminal record per submitted task, read through the public API.
        Map<TaskState, Integer> byState = new EnumMap<>(TaskState.class);
        List<String> notTerminal = new ArrayList<>();
        List<String> outcomeWithoutRun = new ArrayList<>();
        Set<Run> ranSet = new HashSet<>(runs);
        List<Long> pickupMs = new ArrayList<>();
        List<Long> endToEndMs = new ArrayList<>();
        for (String id : ids) {
            Optional<TaskRecord> record = queue.get(id);
            if (record.isEmpty() || !record.get().state().isTerminal()) {
                notTerminal.add(id + ": " + record);
                continue;
            }
            TaskRecord r = record.get();
            byState.merge(r.state(), 1, Integer::sum);
            latencies(r, pickupMs, endToEndMs);
            if (r.state() == TaskState.SUCCEEDED) {
                // The recorded outcome must be the one of the attempt the record names, on the agent it names.
                String result = new String(r.result(), StandardCharsets.UTF_8);
                if (!result.equals(r.agent() + "/" + r.attempt())
                        || !ranSet.contains(new Run(id, r.agent(), r.attempt()))) {
                    outcomeWithoutRun.add(r + " result=" + result);
                }
            }
        }
        assertThat(notTerminal).as("tasks without a terminal record (seed %s)", seed).isEmpty();
        assertThat(outcomeWithoutRun).as("outcomes not matching a handler run (seed %s)", seed).isEmpty();
        int succeeded = byState.getOrDefault(TaskState.SUCCEEDED, 0);
        int dead = byState.getOrDefault(TaskState.DEAD, 0);
        assertThat(byState.keySet()).as("seed %s", seed).isSubsetOf(TaskState.SUCCEEDED, TaskState.DEAD);
        assertThat(succeeded + dead).as("submitted == SUCCEEDED + DEAD (seed %s)", seed).isEqualTo(total);

        // The done directories hold each id once (no task with two outcomes) and nothing else; nothing is left
        // in /tasks, /pending or /assigned.
        CuratorFramework zk = observer.curator();
        Map<String, List<String>> outcomes = new HashMap<>();
        for (TaskState state : TaskState.values()) {
            if (state.isTerminal()) {
                for (String bucket : Buckets.all()) {
                    for (String id : zk.getChildren().forPath(paths(observer).doneBucket(state.name(), bucket))) {
                        outcomes.computeIfAbsent(id, k -> new ArrayList<>()).add(state.name());
                    }
                }
            }
        }
        Map<String, List<String>> twice = new HashMap<>();
        outcomes.forEach((id, states) -> {
            if (states.size() > 1) {
                twice.put(id, states);
            }
        });
        assertThat(twice).as("tasks with two outcomes (seed %s)", seed).isEmpty();
        assertThat(outcomes.keySet()).as("ids in /done (seed %s)", seed).containsExactlyInAnyOrderElementsOf(ids);
        List<String> leftOver = new ArrayList<>();
        for (String bucket : Buckets.all()) {
            zk.getChildren().forPath(paths(observer).tasks() + "/" + bucket).forEach(leftOver::add);
            zk.getChildren().forPath(paths(observer).pendingBucket(bucket)).forEach(leftOver::add);
        }
        for (String agent : zk.getChildren().forPath(paths(observer).assigned())) {
            zk.getChildren().forPath(paths(observer).assignedDir(agent)).forEach(t -> leftOver.add(agent + "/" + t));
        }
        assertThat(leftOver).as("active records, pointers or assignments left (seed %s)", seed).isEmpty();

        Map<TaskState, Long> counts = queue.counts();
        assertThat(counts.get(TaskState.SUCCEEDED)).as("seed %s", seed).isEqualTo(succeeded);
        assertThat(counts.get(TaskState.DEAD)).as("seed %s", seed).isEqualTo(dead);
        for (TaskState s : List.of(TaskState.PENDING, TaskState.ASSIGNED, TaskState.RUNNING, TaskState.FAILED,
                TaskState.CANCELLED)) {
            assertThat(counts.get(s)).as("%s (seed %s)", s, seed).isZero();
        }

        // At-least-once: every task that succeeded ran, some more than once.
        assertThat(runs.size()).as("handler runs (seed %s)", seed).isGreaterThanOrEqualTo(succeeded);
        long reassigned = members.stream().mapToLong(m -> m.cluster().taskMetrics().reassigned()).sum();
        LOG.info("chaos seed {} passed: {} tasks -> {} SUCCEEDED + {} DEAD; {} handler runs ({} tasks ran more than "
                + "once), {} reassignments; chaos {} ms, all ended at {} ms", seed, total, succeeded, dead,
                runs.size(), countRepeated(runs), reassigned, chaosMs, drainedMs);
        LOG.info("latency (ms) last ASSIGNED -> RUNNING p50 {} p99 {}; submit -> outcome p50 {} p99 {} max {}",
                percentile(pickupMs, 50), percentile(pickupMs, 99), percentile(endToEndMs, 50),
                percentile(endToEndMs, 99), percentile(endToEndMs, 100));
    }

    /** From the record's history: how long its last assignment waited for the worker, and submit to outcome. */
    private static void latencies(TaskRecord r, List<Long> pickupMs, List<Long> endToEndMs) {
        List<TaskEvent> h = r.history();
        for (int i = h.size() - 1; i > 0; i--) {
            if (h.get(i).state() == TaskState.RUNNING && h.get(i - 1).state() == TaskState.ASSIGNED) {
                pickupMs.add(h.get(i).at() - h.get(i - 1).at());
                break;
            }
        }
        endToEndMs.add(h.get(h.size() - 1).at() - r.createdAt());
    }

    private static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    /**
     * A submit whose transaction the server applied but whose reply was lost with the connection: Curator sends the
     * same transaction again after reconnecting and it fails NodeExists on the task's own record. That must count as
     * stored, not be reported as "submit failed" (the tasks would run although the caller was told they were not
     * queued, and a caller that submits again would run them twice). It was reported so until
     * TaskQueue.commitSubmit learned to recognise its own applied transaction; TaskScaleTest hit it under load.
     */
    @Test
    void submitWhoseReplyIsLostIsNeitherReportedAsFailedNorStoredTwice() throws Exception {
        HaCluster observer = member("observer", b -> b.role(ClusterRole.OBSERVER));
        TaskQueue direct = observer.taskQueue();
        TcpProxy trap = closeLater(new TcpProxy(server.getPort()));
        TaskQueue queue = member("submitter", b -> b.role(ClusterRole.OBSERVER)
                .connectString(trap.connectString())).taskQueue();
        List<TaskSpec> specs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            specs.add(TaskSpec.builder(TYPE).payload("lost-reply-" + i).build());
        }

        // The first reply the server sends once the tasks are stored is swallowed and the connection dropped.
        List<String> pendingBuckets = Buckets.all().stream().map(paths(observer)::pendingBucket).toList();
        trap.dropNextReplyWhen(() -> AsyncReads.exists(observer.curator(), pendingBuckets, WAIT.toMillis()).stream()
                .anyMatch(r -> r.ok() && r.stat().getNumChildren() > 0));
        List<String> ids = queue.submitAll(specs);

        assertThat(trap.replyDropped()).as("the reply was lost").isTrue();
        assertThat(ids).hasSize(specs.size()).doesNotHaveDuplicates();
        assertThat(direct.counts().get(TaskState.PENDING)).isEqualTo(specs.size());
        for (String id : ids) {
            assertThat(direct.get(id)).isPresent();
        }
    }

    /**
     * A worker reads the assignments and records of the tasks it is given together, in one request per batch. When
     * the connection drops while such a read is out, every task of the batch must still run (after the worker
     * reconnects, on the same session: no attempt is used up), none may stay held by the worker for ever.
     */
    @Test
    void tasksWhosePickupReadIsLostWithTheConnectionStillRun() throws Exception {
        TaskQueue queue = member("submitter", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
        TcpProxy trap = closeLater(new TcpProxy(server.getPort()));
        HaCluster agent = member("agent", b -> b.connectString(trap.connectString()).capacity(30));
        Worker worker = agent.worker().register(TYPE, ctx -> null, 30);

        // The first bytes the server sends once the worker holds tasks it has not started (its read is out) are
        // swallowed, and that connection dropped.
        trap.dropNextReplyWhen(() -> !worker.runningTasks().isEmpty());
        List<String> ids = queue.submitAll(IntStream.range(0, 30)
                .mapToObj(i -> TaskSpec.builder(TYPE).payload("pickup-" + i).build()).toList());

        for (String id : ids) {
            TaskRecord done = queue.await(id, WAIT);
            assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(done.attempt()).isEqualTo(1);
        }
        assertThat(trap.replyDropped()).as("a reply was lost").isTrue();
        await().atMost(WAIT).until(() -> worker.runningTasks().isEmpty());
    }

    /**
     * Blows at random until {@code end}. A partition lasts while the chaos goes on with the other members (at most
     * two members are cut off at once); every partition is healed before this returns.
     */
    private void runChaos(List<Member> members, Random random, long end, Map<Action, Integer> actions,
                          int[] leaderHits) throws Exception {
        Action[] all = Action.values();
        Set<Member> cutOff = ConcurrentHashMap.newKeySet();
        ScheduledExecutorService healer = Executors.newSingleThreadScheduledExecutor();
        try {
            while (System.nanoTime() < end) {
                Thread.sleep(200 + random.nextInt(800)); // pacing between blows
                Member target = members.get(random.nextInt(members.size()));
                boolean atLeader = false;
                if (random.nextInt(4) == 0) {
                    // Aim at the leader every fourth blow or so.
                    for (Member m : members) {
                        if (m.cluster().leaderElection().isLeader()) {
                            target = m;
                            atLeader = true;
                            break;
                        }
                    }
                }
                Action action = all[random.nextInt(all.length)];
                // Shorter than the session (SUSPENDED, then the same session again) or longer (expiry), but always
                // longer than the client's read timeout (2/3 of the session): TcpProxy drops the bytes of a
                // connection that stays open, which real TCP never does, and after a shorter cut a request or reply
                // it swallowed would leave its caller waiting forever on a connection that looks healthy (pings
                // still pass). So a partition is never cut short either.
                long partitionMs = SESSION.toMillis() * 7 / 8 + random.nextInt((int) SESSION.toMillis() * 3 / 4);
                if (cutOff.contains(target) || !target.cluster().connectionGuard().isSafe()
                        || (action == Action.PARTITION && cutOff.size() >= 2)) {
                    // Still recovering from an earlier blow: no session to kill now.
                    continue;
                }
                LOG.info("chaos: {} {}{}{}", action, target.id(), atLeader ? " (the leader)" : "",
                        action == Action.PARTITION ? " for " + partitionMs + " ms" : "");
                actions.merge(action, 1, Integer::sum);
                leaderHits[0] += atLeader ? 1 : 0;
                switch (action) {
                    case EXPIRE_ON_SERVER -> expireSessionOnServer(target.cluster());
                    case KILL_ON_CLIENT -> killSessionOnClient(target.cluster());
                    case PARTITION -> {
                        Member cut = target;
                        cutOff.add(cut);
                        cut.proxy().partition();
                        healer.schedule(() -> {
                            cut.proxy().heal();
                            cutOff.remove(cut);
                        }, partitionMs, TimeUnit.MILLISECONDS);
                    }
                }
            }
        } finally {
            // Delayed heals still run after shutdown.
            healer.shutdown();
            if (!healer.awaitTermination(1, TimeUnit.MINUTES)) {
                members.forEach(m -> m.proxy().heal());
            }
        }
    }

    private static long countRepeated(ConcurrentLinkedQueue<Run> runs) {
        Map<String, Integer> perTask = new HashMap<>();
        runs.forEach(r -> perTask.merge(r.taskId(), 1, Integer::sum));
        return perTask.values().stream().filter(n -> n > 1).count();
    }

    /** Where each unfinished task is, for the failure message. */
    private static String describeUnfinished(TaskQueue queue, CuratorFramework zk, List<String> ids) throws Exception {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (String id : ids) {
            Optional<TaskRecord> r = queue.get(id);
            if (r.isPresent() && r.get().state().isTerminal()) {
                continue;
            }
            if (shown++ < 20) {
                out.append("  ").append(r.map(TaskRecord::toString).orElse(id + " MISSING"))
                        .append(r.map(rec -> " history=" + rec.history()).orElse("")).append('\n');
            }
        }
        out.append("  ").append(shown).append(" unfinished in all\n");
        out.append("  /assigned: ");
        for (String agent : zk.getChildren().forPath(new ZPaths("/ha", "test").assigned())) {
            out.append(agent).append('=')
                    .append(zk.getChildren().forPath(new ZPaths("/ha", "test").assignedDir(agent))).append(' ');
        }
        return out.toString();
    }
}
