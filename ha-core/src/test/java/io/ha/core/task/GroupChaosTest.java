package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.proxy.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group of 1,000 members over four workers while the leader's session is expired twice and a worker is cut off
 * for good mid-run: the join is created exactly once, runs once, and its input names every member with the state
 * its terminal record holds.
 */
class GroupChaosTest extends ZkTestBase {
    private static final Logger LOG = LoggerFactory.getLogger(GroupChaosTest.class);
    private static final int MEMBERS = 1000;
    private static final int WORKERS = 4;
    /** Every 100th member fails for good, so the join sees FAILED members too. */
    private static final int FAIL_EVERY = 100;

    private record Worker(String id, TcpProxy proxy, HaCluster cluster) {
    }

    @Test
    void joinIsCreatedOnceAndNamesEveryMemberWhileLeadersAndAnAgentAreLost() throws Exception {
        AtomicInteger memberRuns = new AtomicInteger();
        List<JoinInput> joinRuns = new CopyOnWriteArrayList<>();
        TaskHandler part = ctx -> {
            memberRuns.incrementAndGet();
            Thread.sleep(ThreadLocalRandom.current().nextInt(2, 12));
            if (new String(ctx.payload(), StandardCharsets.UTF_8).equals("fail")) {
                throw new NonRetryableTaskException("member refused");
            }
            return (ctx.agentId() + "/" + ctx.attempt()).getBytes(StandardCharsets.UTF_8);
        };
        TaskHandler merge = ctx -> {
            joinRuns.add(JoinInput.of(ctx));
            return "merged".getBytes(StandardCharsets.UTF_8);
        };
        List<Worker> workers = new ArrayList<>();
        for (int i = 1; i <= WORKERS; i++) {
            TcpProxy proxy = closeLater(new TcpProxy(server.getPort()));
            HaCluster cluster = member("w" + i, b -> b.connectString(proxy.connectString()).capacity(8));
            cluster.worker().register("part", part, 8);
            cluster.worker().register("merge", merge, 1);
            workers.add(new Worker("w" + i, proxy, cluster));
        }
        TaskQueue queue = member("observer", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
        await().atMost(WAIT).until(() -> leader(workers).isPresent());

        GroupSubmission group = queue.submitGroup(IntStream.range(0, MEMBERS)
                .mapToObj(i -> TaskSpec.builder("part").payload(i % FAIL_EVERY == 7 ? "fail" : "m" + i)
                        .maxAttempts(10).retryBackoff(Duration.ofMillis(10)).build()).toList(),
                TaskSpec.builder("merge").build());

        for (int threshold : List.of(150, 400)) {
            await().atMost(WAIT).until(() -> memberRuns.get() >= threshold);
            Worker leader = leader(workers).orElseThrow();
            LOG.info("expiring the session of leader {} after {} member runs", leader.id(), memberRuns.get());
            expireSessionOnServer(leader.cluster());
            await().atMost(WAIT).until(() -> leader(workers).isPresent());
        }
        await().atMost(WAIT).until(() -> memberRuns.get() >= 650);
        Worker lost = workers.stream().filter(w -> !w.cluster().leaderElection().isLeader()).findFirst()
                .orElseThrow();
        LOG.info("cutting off worker {} for good after {} member runs", lost.id(), memberRuns.get());
        lost.proxy().partition();

        GroupStatus ended = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> queue.group(group.groupId()), s -> s.state() == GroupState.ENDED);

        // Exactly one join record, in any state, anywhere; it ran once and succeeded.
        List<TaskRecord> joins = new ArrayList<>();
        for (TaskState state : TaskState.values()) {
            joins.addAll(queue.list(state, 10_000).stream().filter(r -> r.type().equals("merge")).toList());
        }
        assertThat(joins).singleElement().satisfies(j -> {
            assertThat(j.id()).isEqualTo(ended.joinId());
            assertThat(j.state()).isEqualTo(TaskState.SUCCEEDED);
        });
        assertThat(joinRuns).hasSize(1);

        // The input names every member, in order, with the state (and result) its terminal record holds.
        JoinInput input = joinRuns.get(0);
        assertThat(input.members()).extracting(JoinInput.Member::id).containsExactlyElementsOf(group.memberIds());
        Map<TaskState, Integer> byState = new ConcurrentHashMap<>();
        for (JoinInput.Member m : input.members()) {
            TaskRecord record = queue.get(m.id()).orElseThrow();
            assertThat(m.state()).as("member %s", m.index()).isEqualTo(record.state());
            if (input.form() == JoinInput.Form.RESULTS && record.state() == TaskState.SUCCEEDED) {
                assertThat(m.result()).as("member %s", m.index()).isEqualTo(record.result());
            }
            byState.merge(m.state(), 1, Integer::sum);
        }
        assertThat(byState).containsEntry(TaskState.FAILED, MEMBERS / FAIL_EVERY);
        assertThat(byState.get(TaskState.SUCCEEDED) + byState.getOrDefault(TaskState.DEAD, 0))
                .isEqualTo(MEMBERS - MEMBERS / FAIL_EVERY);
        assertThat(ended.ended()).isEqualTo(byState);
        LOG.info("group {} ENDED: {} member runs, join input {} form, {}", group.groupId(), memberRuns.get(),
                input.form(), byState);
    }

    private static Optional<Worker> leader(List<Worker> workers) {
        return workers.stream().filter(w -> w.cluster().leaderElection().isLeader()).findFirst();
    }
}
