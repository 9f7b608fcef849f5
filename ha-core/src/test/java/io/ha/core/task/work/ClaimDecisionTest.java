package io.ha.core.task.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.CorruptDataException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.task.store.Assignment;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

/** The claim decision alone: every outcome from hand-made reads, no ZooKeeper. */
class ClaimDecisionTest {
    private static final String ME = "agent-a";
    private static final String TASK = "t1";
    private static final long NOW = 1_000_000L;
    private static final ZPaths PATHS = new ZPaths("/ha", "c");
    private static final String A_PATH = PATHS.assignment(ME, TASK);
    private static final String R_PATH = PATHS.task(TASK);

    private static final ClaimDecision.Agent ACCEPTING =
            new ClaimDecision.Agent(ME, Set.of("gpu", "zone=eu"), true, Set.of("job"));

    private static AsyncReads.Result ok(String path, Object value, int version) {
        Stat stat = new Stat();
        stat.setVersion(version);
        return new AsyncReads.Result(path, KeeperException.Code.OK, Json.write(value), stat, null);
    }

    private static AsyncReads.Result missing(String path) {
        return new AsyncReads.Result(path, KeeperException.Code.NONODE, null, null, null);
    }

    private static AsyncReads.Result failed(String path) {
        return new AsyncReads.Result(path, KeeperException.Code.CONNECTIONLOSS, null, null, null);
    }

    private static AsyncReads.Result assignment(int attempt) {
        return ok(A_PATH, new Assignment(TASK, ME, attempt, 7, 900L, -1, null), 3);
    }

    private static TaskRecord pending(String type, Set<String> labels) {
        return TaskRecord.create(TASK, TaskSpec.builder(type).labels(labels).maxAttempts(3).build(), 1L);
    }

    private static AsyncReads.Result record(TaskRecord value) {
        return ok(R_PATH, value, 5);
    }

    private static ClaimDecision decide(AsyncReads.Result a, AsyncReads.Result r, ClaimDecision.Agent agent)
            throws Exception {
        return ClaimDecision.decide(a, r, agent, NOW);
    }

    @Test
    void claimsAFreshAssignmentAsAssignedAndRunningWithTheLeadersEpoch() throws Exception {
        ClaimDecision d = decide(assignment(0), record(pending("job", Set.of("gpu"))), ACCEPTING);

        assertThat(d.kind()).isEqualTo(ClaimDecision.Kind.CLAIM);
        assertThat(d.assignment().version()).isEqualTo(3);
        assertThat(d.record().version()).isEqualTo(5);
        assertThat(d.next().state()).isEqualTo(TaskState.RUNNING);
        assertThat(d.next().agent()).isEqualTo(ME);
        assertThat(d.next().epoch()).isEqualTo(7);
        assertThat(d.next().attempt()).isEqualTo(1);
        assertThat(d.next().history()).extracting(e -> e.state())
                .containsExactly(TaskState.PENDING, TaskState.ASSIGNED, TaskState.RUNNING);
    }

    @Test
    void claimsAgainARecordAlreadyRunningHereForTheSameAttempt() throws Exception {
        TaskRecord running = pending("job", Set.of()).claimed(ME, 7, 900L, 950L);

        assertThat(decide(assignment(1), record(running), ACCEPTING).kind()).isEqualTo(ClaimDecision.Kind.CLAIM);
        assertThat(decide(assignment(0), record(running), ACCEPTING).kind()).isEqualTo(ClaimDecision.Kind.CLAIM);
    }

    @Test
    void releasesAnAssignmentTakenAwayBeforeItWasRead() throws Exception {
        ClaimDecision d = decide(missing(A_PATH), record(pending("job", Set.of())), ACCEPTING);

        assertThat(d.kind()).isEqualTo(ClaimDecision.Kind.RELEASE);
        assertThat(d.assignment()).isNull();
    }

    @Test
    void removesALeftoverAssignmentWhoseTaskIsNotActive() throws Exception {
        ClaimDecision d = decide(assignment(0), missing(R_PATH), ACCEPTING);

        assertThat(d.kind()).isEqualTo(ClaimDecision.Kind.REMOVE_LEFTOVER);
        assertThat(d.assignment().version()).isEqualTo(3);
    }

    @Test
    void endsACorruptRecordDead() throws Exception {
        Stat stat = new Stat();
        AsyncReads.Result garbage = new AsyncReads.Result(R_PATH, KeeperException.Code.OK,
                "{not json".getBytes(StandardCharsets.UTF_8), stat, null);

        ClaimDecision d = decide(assignment(0), garbage, ACCEPTING);

        assertThat(d.kind()).isEqualTo(ClaimDecision.Kind.DEAD_CORRUPT);
        assertThat(d.problem()).isInstanceOf(CorruptDataException.class);
        assertThat(d.assignment().version()).isEqualTo(3);
    }

    @Test
    void endsATaskOfAnUnknownTypeDeadNamingTheTypesThisAgentHas() throws Exception {
        ClaimDecision d = decide(assignment(0), record(pending("other", Set.of())), ACCEPTING);

        assertThat(d.kind()).isEqualTo(ClaimDecision.Kind.DEAD_UNKNOWN_TYPE);
        assertThat(d.next().state()).isEqualTo(TaskState.DEAD);
        assertThat(d.next().agent()).isEqualTo(ME);
        assertThat(d.next().lastError()).isEqualTo("unknown task type 'other': agent agent-a has handlers for [job]");
    }

    @Test
    void unknownTypeWinsOverDrainingAndMissingLabels() throws Exception {
        ClaimDecision.Agent draining = new ClaimDecision.Agent(ME, Set.of(), false, Set.of("job"));

        assertThat(decide(assignment(0), record(pending("other", Set.of("gpu"))), draining).kind())
                .isEqualTo(ClaimDecision.Kind.DEAD_UNKNOWN_TYPE);
    }

    @Test
    void handsBackWithoutUsingAnAttemptWhenDraining() throws Exception {
        ClaimDecision.Agent draining = new ClaimDecision.Agent(ME, Set.of("gpu"), false, Set.of("job"));

        ClaimDecision d = decide(assignment(0), record(pending("job", Set.of("gpu"))), draining);

        assertThat(d.kind()).isEqualTo(ClaimDecision.Kind.HAND_BACK);
        assertThat(d.next().state()).isEqualTo(TaskState.PENDING);
        assertThat(d.next().attempt()).isEqualTo(1);
        assertThat(d.next().history().get(d.next().history().size() - 1).detail())
                .isEqualTo("agent agent-a is draining");
    }

    @Test
    void handsBackATaskWhoseLabelsThisAgentLacks() throws Exception {
        ClaimDecision d = decide(assignment(0), record(pending("job", Set.of("gpu", "ssd"))), ACCEPTING);

        assertThat(d.kind()).isEqualTo(ClaimDecision.Kind.HAND_BACK);
        assertThat(d.next().attempt()).isEqualTo(1);
        // The record's labels in its own (unspecified) order.
        assertThat(d.next().history().get(d.next().history().size() - 1).detail())
                .startsWith("agent agent-a lacks labels [").contains("gpu").contains("ssd");
    }

    @Test
    void leavesARecordHeldByAnotherAgent() throws Exception {
        TaskRecord elsewhere = pending("job", Set.of()).claimed("agent-b", 7, 900L, 950L);

        ClaimDecision d = decide(assignment(0), record(elsewhere), ACCEPTING);

        assertThat(d.kind()).isEqualTo(ClaimDecision.Kind.MISMATCH);
        assertThat(d.next()).isNull();
    }

    @Test
    void leavesARecordOfAnotherAttempt() throws Exception {
        TaskRecord running = pending("job", Set.of()).claimed(ME, 7, 900L, 950L);

        assertThat(decide(assignment(2), record(running), ACCEPTING).kind()).isEqualTo(ClaimDecision.Kind.MISMATCH);
    }

    @Test
    void leavesARecordInAnEndedState() throws Exception {
        TaskRecord ended = pending("job", Set.of()).claimed(ME, 7, 900L, 950L).succeeded(null, 990L);

        assertThat(decide(assignment(0), record(ended), ACCEPTING).kind()).isEqualTo(ClaimDecision.Kind.MISMATCH);
    }

    @Test
    void failsWhenAReadFailedForAnotherReasonThanAMissingNode() {
        assertThatThrownBy(() -> decide(failed(A_PATH), record(pending("job", Set.of())), ACCEPTING))
                .isInstanceOf(KeeperException.ConnectionLossException.class);
        assertThatThrownBy(() -> decide(assignment(0), failed(R_PATH), ACCEPTING))
                .isInstanceOf(KeeperException.ConnectionLossException.class);
    }
}
