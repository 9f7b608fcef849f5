package io.ha.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.chaos.fault.Fault;
import io.ha.chaos.fault.FaultKind;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The run's verdict from what it read: each invariant fails on the evidence that breaks it, and a zombie's refused
 * writes count as the zombie window, not as overlaps.
 */
class InvariantsTest {
    private static final Duration SESSION = Duration.ofSeconds(4);

    private static TaskRecord ended(String id, TaskState... terminals) {
        TaskRecord r = TaskRecord.create(id, TaskSpec.builder("chaos").build(), 1_000);
        List<TaskEvent> history = new ArrayList<>(r.history());
        for (TaskState s : terminals) {
            history.add(new TaskEvent(2_000, s, 1, "agent-1", null));
        }
        TaskState last = terminals.length == 0 ? TaskState.RUNNING : terminals[terminals.length - 1];
        return new TaskRecord(r.id(), r.type(), r.payload(), r.priority(), r.maxAttempts(), r.retryBackoffMs(),
                r.notBefore(), r.idempotencyKey(), r.labels(), r.createdAt(), last, 1, "agent-1", 1, null, null,
                history, r.onSuccess(), r.onFailure(), null, null, List.of(), 0, null, null, -1, 1);
    }

    private static RunLog log(List<RunLog.Step> leader, List<RunLog.Step> exclusive) {
        return new RunLog(List.of(new RunLog.Run("t1", 1, "agent-1", 1_500)), leader, exclusive, 0);
    }

    private static Invariants check(Map<String, Optional<TaskRecord>> outcomes, RunLog log) {
        return Invariants.check(outcomes, log, List.of(new Fault(FaultKind.AGENT_PAUSE, "agent-1", 10_000, 16_000,
                List.of(), "")), SESSION);
    }

    private static Map<String, Optional<TaskRecord>> outcomes(Object... idAndRecord) {
        Map<String, Optional<TaskRecord>> m = new LinkedHashMap<>();
        for (int i = 0; i < idAndRecord.length; i += 2) {
            m.put((String) idAndRecord[i], Optional.ofNullable((TaskRecord) idAndRecord[i + 1]));
        }
        return m;
    }

    @Test
    void holdsWhenEveryTaskHasOneOutcomeAndNoStepsOverlap() {
        Invariants inv = check(outcomes("t1", ended("t1", TaskState.SUCCEEDED)), log(
                List.of(new RunLog.Step("agent-1", 1, 100, 250, true), new RunLog.Step("agent-2", 2, 250, 400, true)),
                List.of(new RunLog.Step("agent-1", 7, 100, 250, true))));
        assertThat(inv.failures()).isEmpty();
        assertThat(inv.held()).isTrue();
    }

    @Test
    void aTaskWithoutRecordIsLost() {
        Invariants inv = check(outcomes("t1", ended("t1", TaskState.SUCCEEDED), "t2", null), log(List.of(), List.of()));
        assertThat(inv.held()).isFalse();
        assertThat(inv.tasks().lost()).containsExactly("t2");
    }

    @Test
    void aTaskStillRunningAtTheEndIsLost() {
        Invariants inv = check(outcomes("t1", ended("t1")), log(List.of(), List.of()));
        assertThat(inv.held()).isFalse();
        assertThat(inv.tasks().lost()).containsExactly("t1");
    }

    @Test
    void twoTerminalEntriesAreAnOutcomeRecordedTwice() {
        Invariants inv = check(outcomes("t1", ended("t1", TaskState.SUCCEEDED, TaskState.SUCCEEDED)),
                log(List.of(), List.of()));
        assertThat(inv.held()).isFalse();
        assertThat(inv.tasks().recordedTwice()).containsOnlyKeys("t1");
    }

    @Test
    void acceptedLeaderStepsOfTwoHoldersAtOneInstantAreAnOverlap() {
        Invariants inv = check(outcomes(), log(List.of(new RunLog.Step("agent-1", 1, 100, 300, true),
                new RunLog.Step("agent-2", 2, 200, 400, true)), List.of()));
        assertThat(inv.held()).isFalse();
        assertThat(inv.leader().overlaps()).hasSize(1);
    }

    @Test
    void acceptedExclusiveStepsAtOneInstantAreAnOverlap() {
        Invariants inv = check(outcomes(), log(List.of(), List.of(new RunLog.Step("agent-1", 7, 100, 300, true),
                new RunLog.Step("agent-2", 8, 200, 400, true))));
        assertThat(inv.held()).isFalse();
        assertThat(inv.exclusive().overlaps()).hasSize(1);
    }

    @Test
    void aZombiesRefusedWritesAreTheZombieWindowNotAnOverlap() {
        // agent-1 was paused at 10 s holding token 7; agent-2 took the lock (token 8); agent-1 woke at 16 s and
        // its closing write was refused.
        Invariants inv = check(outcomes(), log(List.of(new RunLog.Step("agent-1", 3, 9_900, 16_050, false)),
                List.of(new RunLog.Step("agent-2", 8, 14_000, 14_150, true),
                        new RunLog.Step("agent-1", 7, 9_950, 16_020, false))));
        assertThat(inv.held()).isTrue();
        assertThat(inv.rejections()).extracting(Invariants.Rejection::kind).containsExactly("exclusive", "leader");
        assertThat(inv.exclusive().rejections()).hasSize(1);
        assertThat(inv.outsideFaults()).isZero();
    }

    @Test
    void aRefusedWriteFarFromEveryFaultIsReportedAsOutside() {
        Invariants inv = check(outcomes(), log(List.of(), List.of(new RunLog.Step("agent-1", 7, 100, 250, false))));
        assertThat(inv.held()).isTrue();
        assertThat(inv.outsideFaults()).isEqualTo(1);
    }
}
