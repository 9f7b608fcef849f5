package io.ha.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.NoSuchScheduleException;
import io.ha.core.ScheduleExistsException;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.ZkTestBase;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ScheduleTest extends ZkTestBase {

    private HaCluster observer() throws Exception {
        return member("ops", b -> b.role(ClusterRole.OBSERVER));
    }

    /** Scheduled times of every task the schedule enqueued, from their idempotency keys, sorted. */
    private static List<Long> ticksOf(TaskQueue queue, String schedule) throws Exception {
        List<Long> ticks = new ArrayList<>();
        for (TaskState state : TaskState.values()) {
            for (TaskRecord r : queue.list(state, 10_000)) {
                String key = r.idempotencyKey();
                if (key != null && key.startsWith("schedule:" + schedule + ":") && !key.endsWith(":manual")) {
                    ticks.add(Long.parseLong(key.substring(key.lastIndexOf(':') + 1)));
                }
            }
        }
        ticks.sort(null);
        return ticks;
    }

    @Test
    void everyTickIsEnqueuedExactlyOnceWhileTheLeaderIsKilledTwice() throws Exception {
        List<HaCluster> members = new ArrayList<>();
        for (String id : List.of("m1", "m2", "m3")) {
            HaCluster m = member(id);
            m.worker().register("tick", ctx -> null, 4);
            members.add(m);
        }
        HaCluster ops = observer();
        ops.schedules().define("heartbeat", Trigger.every(Duration.ofSeconds(1)), TaskSpec.builder("tick").build(),
                Schedules.Options.defaults().withMisfire(MisfirePolicy.FIRE_ALL));
        long start = System.currentTimeMillis();

        for (int kill = 0; kill < 2; kill++) {
            await().pollDelay(Duration.ofSeconds(5)).atMost(WAIT).until(() -> true);
            HaCluster leader = await().atMost(WAIT).until(
                    () -> members.stream().filter(m -> m.leaderElection().isLeader()).findFirst().orElse(null),
                    m -> m != null);
            killSessionOnClient(leader);
        }
        await().pollDelay(Duration.ofSeconds(6)).atMost(WAIT).until(() -> true);
        ops.schedules().pause("heartbeat");
        long end = System.currentTimeMillis();

        TaskQueue queue = ops.taskQueue();
        List<Long> ticks = ticksOf(queue, "heartbeat");
        assertThat(ticks).doesNotHaveDuplicates();
        for (int i = 1; i < ticks.size(); i++) {
            assertThat(ticks.get(i) - ticks.get(i - 1)).as("gap before tick %s", i).isEqualTo(1000);
        }
        // Every tick between the first and the last, and none missing at either end beyond the loop's latency.
        long elapsedTicks = (end - start) / 1000;
        assertThat(ticks.size()).isBetween((int) elapsedTicks - 2, (int) elapsedTicks + 1);
        ScheduleRecord record = ops.schedules().get("heartbeat").orElseThrow().record();
        assertThat(record.firedTicks()).isEqualTo(ticks.size());
        assertThat(record.skippedTicks()).isZero();
    }

    @Test
    void fireOnceCollapsesTicksMissedWhileNoLeaderWasThere() throws Exception {
        HaCluster ops = observer();
        ops.schedules().define("report", Trigger.every(Duration.ofMillis(500)), TaskSpec.builder("r").build());
        await().pollDelay(Duration.ofMillis(2600)).atMost(WAIT).until(() -> true);

        member("late"); // the first leader arrives after about five ticks were due
        await().atMost(WAIT).until(() -> ops.schedules().get("report").orElseThrow().record().firedTicks() >= 1);

        ScheduleRecord record = ops.schedules().get("report").orElseThrow().record();
        assertThat(record.skippedTicks()).isGreaterThanOrEqualTo(3);
        List<Long> ticks = ticksOf(ops.taskQueue(), "report");
        assertThat(ticks.get(0)).isGreaterThan(record.createdAt() + 2000); // the latest missed tick, not the first
    }

    @Test
    void skipMisfirePolicyFiresNoneOfTheMissedTicks() throws Exception {
        HaCluster ops = observer();
        ops.schedules().define("skipper", Trigger.every(Duration.ofMillis(500)), TaskSpec.builder("r").build(),
                Schedules.Options.defaults().withMisfire(MisfirePolicy.SKIP));
        await().pollDelay(Duration.ofMillis(1700)).atMost(WAIT).until(() -> true);
        long arrival = System.currentTimeMillis();

        member("late");
        await().atMost(WAIT).until(() -> ops.schedules().get("skipper").orElseThrow().record().firedTicks() >= 1);

        List<Long> ticks = ticksOf(ops.taskQueue(), "skipper");
        assertThat(ticks).allSatisfy(t -> assertThat(t).isGreaterThanOrEqualTo(arrival));
        assertThat(ops.schedules().get("skipper").orElseThrow().record().skippedTicks()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void overlapSkipDropsTicksWhileThePreviousRunGoesOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HaCluster agent = member("agent");
        agent.worker().register("slow", ctx -> {
            release.await();
            return null;
        }, 4);
        HaCluster ops = observer();
        ops.schedules().define("exclusive", Trigger.every(Duration.ofMillis(300)), TaskSpec.builder("slow").build(),
                Schedules.Options.defaults().withOverlap(OverlapPolicy.SKIP));

        await().atMost(WAIT).until(() -> ops.schedules().get("exclusive").orElseThrow().record().skippedTicks() >= 3);
        assertThat(ops.taskQueue().counts().get(TaskState.RUNNING)
                + ops.taskQueue().counts().get(TaskState.ASSIGNED)
                + ops.taskQueue().counts().get(TaskState.PENDING)).isEqualTo(1);
        release.countDown();
        await().atMost(WAIT).until(() -> ops.schedules().get("exclusive").orElseThrow().record().firedTicks() >= 2);
    }

    @Test
    void triggerNowFiresOnceEvenWhenPausedAndResumeSkipsThePausedTicks() throws Exception {
        member("leader");
        HaCluster ops = observer();
        ops.schedules().define("nightly", Trigger.cron("0 3 * * *", ZoneId.of("Europe/Berlin")),
                TaskSpec.builder("job").build(), Schedules.Options.defaults().paused());

        ops.schedules().triggerNow("nightly");

        await().atMost(WAIT).until(() -> ops.schedules().get("nightly").orElseThrow().record().firedTicks() == 1);
        ScheduleInfo info = ops.schedules().get("nightly").orElseThrow();
        assertThat(info.nextFireTime()).isNull(); // paused
        assertThat(ops.taskQueue().get(info.record().lastTaskId()).orElseThrow().idempotencyKey()).endsWith(":manual");
        ops.schedules().resume("nightly");
        assertThat(ops.schedules().get("nightly").orElseThrow().nextFireTime()).isNotNull();
    }

    @Test
    void invalidCronIntervalOrZoneIsRefusedAtDefineTimeNamingIt() throws Exception {
        Schedules schedules = observer().schedules();
        TaskSpec task = TaskSpec.builder("x").build();

        assertThatThrownBy(() -> schedules.define("bad", Trigger.cron("61 * * * *", ZoneId.of("UTC")), task))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("61 * * * *");
        assertThatThrownBy(() -> Trigger.cron("every tuesday", ZoneId.of("UTC")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every tuesday");
        assertThatThrownBy(() -> Trigger.every(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 ms");
        assertThatThrownBy(() -> new Trigger.CronTrigger("0 3 * * *", "Mars/Olympus"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Mars/Olympus");
        assertThatThrownBy(() -> schedules.define("a/b", Trigger.every(Duration.ofSeconds(1)), task))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schedule name");
        assertThatThrownBy(() -> schedules.define("keyed", Trigger.every(Duration.ofSeconds(1)),
                TaskSpec.builder("x").idempotencyKey("k").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotency key");
        assertThat(schedules.list()).isEmpty();
    }

    @Test
    void aScheduleWhoseTaskCannotBeEnqueuedDoesNotHoldUpTheOthers() throws Exception {
        member("leader", b -> b.maxTaskPayloadBytes(1024));
        HaCluster ops = member("ops", b -> b.role(ClusterRole.OBSERVER).maxTaskPayloadBytes(64 * 1024));
        // Defined through a member with a larger limit than the leader's: the leader refuses to enqueue it.
        ops.schedules().define("a-too-big", Trigger.every(Duration.ofMillis(200)),
                TaskSpec.builder("x").payload(new byte[8 * 1024]).build());
        ops.schedules().define("b-fine", Trigger.every(Duration.ofMillis(200)), TaskSpec.builder("x").build());

        await().atMost(WAIT).until(() -> ops.schedules().get("b-fine").orElseThrow().record().firedTicks() >= 3);
        assertThat(ops.schedules().get("a-too-big").orElseThrow().record().firedTicks()).isZero();
        assertThatThrownBy(() -> member("small", b -> b.role(ClusterRole.OBSERVER).maxTaskPayloadBytes(1024))
                .schedules().define("c", Trigger.every(Duration.ofSeconds(1)),
                        TaskSpec.builder("x").payload(new byte[2048]).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2048 bytes")
                .hasMessageContaining("1024 bytes");
    }

    @Test
    void createRefusesAnExistingNameAtomicallyAndUnknownNamesAreNamed() throws Exception {
        Schedules schedules = observer().schedules();
        TaskSpec task = TaskSpec.builder("x").build();
        List<Throwable> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> racers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long seconds = i + 1;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    schedules.create("once", Trigger.every(Duration.ofSeconds(seconds)), task,
                            Schedules.Options.defaults().paused());
                    outcomes.add(null);
                } catch (Throwable e) {
                    outcomes.add(e);
                }
            });
            t.start();
            racers.add(t);
        }
        go.countDown();
        for (Thread t : racers) {
            t.join(WAIT.toMillis());
        }
        assertThat(outcomes).hasSize(4);
        assertThat(outcomes.stream().filter(e -> e == null)).hasSize(1);
        assertThat(outcomes.stream().filter(e -> e instanceof ScheduleExistsException)).hasSize(3);
        assertThat(outcomes.stream().filter(e -> e instanceof ScheduleExistsException).findFirst().orElseThrow())
                .hasMessageContaining("'once'");

        assertThatThrownBy(() -> schedules.pause("nope")).isInstanceOf(NoSuchScheduleException.class)
                .hasMessageContaining("'nope'");
        assertThatThrownBy(() -> schedules.triggerNow("nope")).isInstanceOf(NoSuchScheduleException.class);
        assertThat(schedules.remove("nope")).isFalse();
    }
}
