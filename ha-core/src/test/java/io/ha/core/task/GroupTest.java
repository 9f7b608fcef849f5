package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.NoSuchGroupException;
import io.ha.core.TaskRejectedException;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.testing.BlockingHandler;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Fan-in groups: members anywhere, one join created with the outcome that ends the last member. */
class GroupTest extends ZkTestBase {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static TaskSpec part(String payload) {
        return TaskSpec.builder("part").payload(payload).maxAttempts(1).build();
    }

    /** Runs of {@link #parts()} handlers in this test. */
    private final AtomicInteger partRuns = new AtomicInteger();

    /** Parts succeed with "r-" + payload, or fail without retry when the payload is "fail". */
    private TaskHandler parts() {
        return ctx -> {
            partRuns.incrementAndGet();
            String in = new String(ctx.payload(), StandardCharsets.UTF_8);
            if (in.equals("fail")) {
                throw new NonRetryableTaskException("part refused " + in);
            }
            return bytes("r-" + in);
        };
    }

    /** A worker that runs parts and records every join input it is given. */
    private HaCluster worker(List<JoinInput> joins) throws Exception {
        HaCluster agent = member("agent");
        agent.worker().register("part", parts(), 4);
        agent.worker().register("merge", ctx -> {
            joins.add(JoinInput.of(ctx));
            return bytes("merged");
        }, 1);
        agent.worker().register("alert", ctx -> {
            joins.add(JoinInput.of(ctx));
            return null;
        }, 1);
        return agent;
    }

    private TaskQueue client() throws Exception {
        return member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
    }

    private static GroupStatus awaitState(TaskQueue queue, String groupId, GroupState state) {
        return await().atMost(WAIT).until(() -> queue.group(groupId), s -> s.state() == state);
    }

    @Test
    void joinRunsOnceWithEveryMembersIdStateAndResult() throws Exception {
        List<JoinInput> joins = new CopyOnWriteArrayList<>();
        worker(joins);
        TaskQueue queue = client();

        GroupSubmission group = queue.submitGroup(List.of(part("a"), part("b"), part("c")),
                TaskSpec.builder("merge").build());
        GroupStatus ended = awaitState(queue, group.groupId(), GroupState.ENDED);

        assertThat(joins).hasSize(1);
        JoinInput input = joins.get(0);
        assertThat(input.groupId()).isEqualTo(group.groupId());
        assertThat(input.form()).isEqualTo(JoinInput.Form.RESULTS);
        assertThat(input.members()).extracting(JoinInput.Member::id).containsExactlyElementsOf(group.memberIds());
        assertThat(input.members()).extracting(JoinInput.Member::resultText).containsExactly("r-a", "r-b", "r-c");
        assertThat(input.members()).allMatch(JoinInput.Member::succeeded);
        assertThat(ended.ended()).containsEntry(TaskState.SUCCEEDED, 3);
        assertThat(ended.active()).isZero();
        assertThat(ended.joinState()).isEqualTo(TaskState.SUCCEEDED);
        TaskRecord join = queue.get(ended.joinId()).orElseThrow();
        assertThat(join.parentId()).isEqualTo(group.groupId());
        assertThat(join.groupIndex()).isEqualTo(-1);
        assertThat(queue.get(group.memberIds().get(1)).orElseThrow().groupIndex()).isEqualTo(1);
        assertThat(queue.list(TaskState.SUCCEEDED, 100)).filteredOn(r -> r.type().equals("merge")).hasSize(1);
    }

    @Test
    void failedMemberIsListedWithItsErrorAndTheJoinStillRuns() throws Exception {
        List<JoinInput> joins = new CopyOnWriteArrayList<>();
        worker(joins);
        TaskQueue queue = client();

        GroupSubmission group = queue.submitGroup(List.of(part("a"), part("fail"), part("c")),
                TaskSpec.builder("merge").build());
        awaitState(queue, group.groupId(), GroupState.ENDED);

        JoinInput input = joins.get(0);
        assertThat(input.members()).extracting(JoinInput.Member::state)
                .containsExactly(TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SUCCEEDED);
        assertThat(input.members().get(1).error()).contains("part refused fail");
        assertThat(input.counts()).containsEntry(TaskState.FAILED, 1).containsEntry(TaskState.SUCCEEDED, 2);
    }

    @Test
    void joinOnlySucceededRunsTheOnFailureTaskInsteadWhenAMemberFailed() throws Exception {
        List<JoinInput> joins = new CopyOnWriteArrayList<>();
        worker(joins);
        TaskQueue queue = client();

        GroupSubmission group = queue.submitGroup(GroupSpec.builder().member(part("a")).member(part("fail"))
                .join(TaskSpec.builder("merge").build()).joinOnlySucceeded(TaskSpec.builder("alert").build())
                .build());
        GroupStatus ended = awaitState(queue, group.groupId(), GroupState.ENDED);

        assertThat(ended.onFailure()).isTrue();
        assertThat(queue.get(ended.joinId()).orElseThrow().type()).isEqualTo("alert");
        assertThat(joins).singleElement().satisfies(in -> assertThat(in.counts()).containsEntry(TaskState.FAILED, 1));
        assertThat(queue.list(TaskState.SUCCEEDED, 100)).noneMatch(r -> r.type().equals("merge"));
    }

    @Test
    void memberChainsEndWithTheirLastStepAndTheJoinsThenStepsRunBeforeTheGroupEnds() throws Exception {
        List<JoinInput> joins = new CopyOnWriteArrayList<>();
        HaCluster agent = worker(joins);
        agent.worker().register("refine", ctx -> bytes(new String(ctx.input(), StandardCharsets.UTF_8) + "+"), 2);
        BlockingHandler publish = new BlockingHandler();
        agent.worker().register("publish", publish, 1);
        TaskQueue queue = client();

        TaskSpec chained = TaskSpec.builder("part").payload("x").then(TaskSpec.builder("refine").build()).build();
        GroupSubmission group = queue.submitGroup(List.of(chained, part("y")),
                TaskSpec.builder("merge").then(TaskSpec.builder("publish").build()).build());
        await().atMost(WAIT).until(() -> publish.started.size() == 1);

        JoinInput input = joins.get(0);
        JoinInput.Member first = input.members().get(0);
        assertThat(first.resultText()).isEqualTo("r-x+");
        assertThat(first.endedBy()).isNotEqualTo(first.id());
        TaskRecord refine = queue.get(first.endedBy()).orElseThrow();
        assertThat(refine.type()).isEqualTo("refine");
        assertThat(refine.groupId()).isEqualTo(group.groupId());
        assertThat(refine.parentId()).isEqualTo(group.memberIds().get(0));
        // The join ended, its then step runs: the group is not over yet.
        assertThat(queue.group(group.groupId()).state()).isEqualTo(GroupState.JOINED);
        assertThat(queue.group(group.groupId()).joinState()).isEqualTo(TaskState.SUCCEEDED);

        publish.release.countDown();
        awaitState(queue, group.groupId(), GroupState.ENDED);
    }

    @Test
    void cancelGroupCancelsEveryMemberAndNoJoinIsCreated() throws Exception {
        HaCluster agent = member("agent");
        BlockingHandler blocker = new BlockingHandler();
        agent.worker().register("part", blocker, 2);
        agent.worker().register("merge", ctx -> null, 1);
        TaskQueue queue = client();
        GroupSubmission group = queue.submitGroup(IntStream.range(0, 5).mapToObj(i -> part("p" + i)).toList(),
                TaskSpec.builder("merge").build());
        await().atMost(WAIT).until(() -> blocker.started.size() == 2);

        assertThat(queue.cancelGroup(group.groupId())).isTrue();

        GroupStatus cancelled = await().atMost(WAIT).until(() -> queue.group(group.groupId()),
                s -> s.ended().getOrDefault(TaskState.CANCELLED, 0) == 5);
        assertThat(cancelled.state()).isEqualTo(GroupState.CANCELLED);
        assertThat(cancelled.joinId()).isNull();
        for (String id : group.memberIds()) {
            assertThat(queue.get(id).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        }
        // Every member that started (the first two, and those that took their slots before their turn came) was
        // interrupted; none succeeded.
        assertThat(blocker.interrupted).containsExactlyInAnyOrderElementsOf(blocker.started);
        assertThat(queue.counts().get(TaskState.SUCCEEDED)).isZero();
        assertThat(queue.cancelGroup(group.groupId())).isFalse();
        assertThat(queue.counts().get(TaskState.PENDING)).isZero();
    }

    @Test
    void unknownOrMalformedGroupIdIsAClearError() throws Exception {
        TaskQueue queue = client();
        String unknown = queue.submit(TaskSpec.builder("x").build()); // a task id, not a group id
        assertThatThrownBy(() -> queue.group(unknown)).isInstanceOf(NoSuchGroupException.class)
                .hasMessageContaining(unknown);
        assertThatThrownBy(() -> queue.group("../etc")).isInstanceOf(NoSuchGroupException.class)
                .hasMessageContaining("../etc");
        assertThatThrownBy(() -> queue.cancelGroup(unknown)).isInstanceOf(NoSuchGroupException.class);
    }

    @Test
    void memberThatFansOutOrCarriesAKeyIsRefusedNamingItsIndexAndNothingIsStored() throws Exception {
        TaskQueue queue = client();
        TaskSpec fanOut = TaskSpec.builder("part").then(TaskSpec.builder("a").build(), TaskSpec.builder("b").build())
                .build();
        assertThatThrownBy(() -> queue.submitGroup(List.of(part("a"), fanOut), TaskSpec.builder("merge").build()))
                .isInstanceOf(TaskRejectedException.class).hasMessageContaining("member #1")
                .hasMessageContaining("2 follow-ups");
        assertThatThrownBy(() -> queue.submitGroup(List.of(TaskSpec.builder("part").idempotencyKey("k").build()),
                TaskSpec.builder("merge").build()))
                .isInstanceOf(TaskRejectedException.class).hasMessageContaining("member #0")
                .hasMessageContaining("idempotency key");
        assertThatThrownBy(() -> queue.submitGroup(List.of(), TaskSpec.builder("merge").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one member");
        assertThat(queue.counts().get(TaskState.PENDING)).isZero();
    }

    @Test
    void twoThousandMembersOverSeveralWorkersJoinOnceWithEveryMember() throws Exception {
        List<JoinInput> joins = new CopyOnWriteArrayList<>();
        worker(joins);
        for (String id : List.of("agent-2", "agent-3")) {
            member(id).worker().register("part", parts(), 8);
        }
        TaskQueue queue = client();
        int n = 2000;

        GroupSubmission group = queue.submitGroup(IntStream.range(0, n).mapToObj(i -> part("m" + i)).toList(),
                TaskSpec.builder("merge").build());
        GroupStatus ended = await().atMost(Duration.ofSeconds(120)).until(() -> queue.group(group.groupId()),
                s -> s.state() == GroupState.ENDED);

        assertThat(joins).hasSize(1);
        assertThat(joins.get(0).members()).hasSize(n).allMatch(JoinInput.Member::succeeded);
        assertThat(joins.get(0).members()).extracting(JoinInput.Member::id)
                .containsExactlyElementsOf(group.memberIds());
        assertThat(ended.ended()).containsEntry(TaskState.SUCCEEDED, n);
        assertThat(queue.list(TaskState.SUCCEEDED, 10_000)).filteredOn(r -> r.type().equals("merge")).hasSize(1);
        // Members ending together conflict on their shard or the header; those conflicts are retried at once, so
        // no outcome is dropped (and no member runs again) in a cluster where nothing fails.
        assertThat(partRuns.get()).isEqualTo(n);
    }

    @Test
    void memberEndedDeadByTheLeaderWhenItsAgentIsLostCountsForTheJoin() throws Exception {
        List<JoinInput> joins = new CopyOnWriteArrayList<>();
        HaCluster leader = member("leader"); // leads throughout and reclaims the lost agent's task
        BlockingHandler stuck = new BlockingHandler();
        HaCluster doomed = member("doomed");
        doomed.worker().register("part", stuck, 1);
        TaskQueue queue = client();
        GroupSubmission group = queue.submitGroup(List.of(part("only")), TaskSpec.builder("merge").build());
        await().atMost(WAIT).until(() -> stuck.started.size() == 1);
        worker(joins).worker(); // runs the join only: the member is taken by then

        expireSessionOnServer(doomed);
        GroupStatus ended = awaitState(queue, group.groupId(), GroupState.ENDED);

        assertThat(ended.ended()).containsEntry(TaskState.DEAD, 1);
        assertThat(joins).singleElement().satisfies(in -> {
            assertThat(in.members()).singleElement().extracting(JoinInput.Member::state).isEqualTo(TaskState.DEAD);
            assertThat(in.members().get(0).error()).contains("agent doomed");
        });
        assertThat(leader.leaderElection().isLeader()).isTrue();
    }
}
