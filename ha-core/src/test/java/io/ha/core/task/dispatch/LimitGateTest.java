package io.ha.core.task.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.core.task.TypeLimit;
import io.ha.core.task.dispatch.LimitGate.Verdict;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The limits as a pure decision: counts, keys and token buckets, with the time passed in. */
class LimitGateTest {
    private final LimitGate gate = new LimitGate();

    private static Placement task(String type, String key) {
        return new Placement(type, key, Set.of());
    }

    private void limit(TypeLimit limit, long now) {
        gate.setLimits(Map.of(limit.type(), limit), now);
    }

    @Test
    void maxRunningCountsTasksInFlightAndThoseTakenInTheRound() {
        limit(TypeLimit.of("job").maxRunning(3).build(), 0);
        gate.counted(task("job", null));

        LimitGate.Round round = gate.round(0);
        assertThat(round.tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);
        assertThat(round.tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);
        assertThat(round.tryStart(task("job", null))).isEqualTo(Verdict.MAX_RUNNING);
        assertThat(round.tryStart(task("other", null))).isEqualTo(Verdict.ALLOWED);

        gate.started(task("job", null), 0);
        gate.started(task("job", null), 0);
        assertThat(gate.running("job")).isEqualTo(3);
        assertThat(gate.round(0).tryStart(task("job", null))).isEqualTo(Verdict.MAX_RUNNING);
        gate.ended(task("job", null));
        assertThat(gate.round(0).tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void aPerKeyLimitOfOneIsAMutexPerKeyAndLeavesTasksWithoutAKeyAlone() {
        limit(TypeLimit.of("job").perKey(1).build(), 0);
        gate.counted(task("job", "c1"));

        LimitGate.Round round = gate.round(0);
        assertThat(round.tryStart(task("job", "c1"))).isEqualTo(Verdict.PER_KEY);
        assertThat(round.tryStart(task("job", "c2"))).isEqualTo(Verdict.ALLOWED);
        assertThat(round.tryStart(task("job", "c2"))).isEqualTo(Verdict.PER_KEY);
        assertThat(round.tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);
        assertThat(round.tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);

        gate.ended(task("job", "c1"));
        assertThat(gate.running("job", "c1")).isZero();
        assertThat(gate.round(0).tryStart(task("job", "c1"))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void aRateStartsEmptyRefillsToItsBurstAndSaysWhenTheNextTokenIsDue() {
        limit(TypeLimit.of("job").rate(4, 2).build(), 1_000);

        LimitGate.Round empty = gate.round(1_000);
        assertThat(empty.tryStart(task("job", null))).isEqualTo(Verdict.RATE);
        assertThat(empty.millisUntilNextToken()).isEqualTo(250);

        // After a long quiet spell the bucket holds its burst, no more.
        LimitGate.Round later = gate.round(11_000);
        assertThat(later.tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);
        assertThat(later.tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);
        assertThat(later.tryStart(task("job", null))).isEqualTo(Verdict.RATE);
        assertThat(later.millisUntilNextToken()).isEqualTo(250);
        gate.started(task("job", null), 11_000);
        gate.started(task("job", null), 11_000);

        assertThat(gate.round(11_249).tryStart(task("job", null))).isEqualTo(Verdict.RATE);
        assertThat(gate.round(11_250).tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);
        assertThat(gate.round(0).millisUntilNextToken()).isEqualTo(-1);
    }

    @Test
    void startsNeverExceedRatePlusBurstInAnyWindowOfASecond() {
        double rate = 7;
        int burst = 3;
        limit(TypeLimit.of("job").rate(rate, burst).build(), 0);
        java.util.List<Long> starts = new java.util.ArrayList<>();
        for (long now = 0; now < 20_000; now += 13) {
            if (now == 5_000) {
                now = 9_000; // a quiet spell: the bucket fills to its burst
            }
            LimitGate.Round round = gate.round(now);
            while (round.tryStart(task("job", null)) == Verdict.ALLOWED) {
                gate.started(task("job", null), now);
                starts.add(now);
            }
        }
        for (int i = 0; i < starts.size(); i++) {
            long from = starts.get(i);
            long inWindow = starts.stream().filter(t -> t >= from && t < from + 1000).count();
            assertThat(inWindow).isLessThanOrEqualTo((long) (rate + burst));
        }
        assertThat(starts.size()).isGreaterThan((int) (rate * 14)); // and the rate is reached, not just bounded
    }

    @Test
    void changingALimitKeepsTheCountsAndRemovingItLiftsIt() {
        limit(TypeLimit.of("job").maxRunning(1).build(), 0);
        gate.counted(task("job", null));
        assertThat(gate.round(0).tryStart(task("job", null))).isEqualTo(Verdict.MAX_RUNNING);

        limit(TypeLimit.of("job").maxRunning(2).build(), 0);
        assertThat(gate.round(0).tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);

        gate.setLimits(Map.of(), 0);
        assertThat(gate.limited()).isFalse();
        LimitGate.Round round = gate.round(0);
        for (int i = 0; i < 100; i++) {
            assertThat(round.tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);
        }
    }

    @Test
    void tasksWithoutATypeAreNeitherCountedNorLimited() {
        limit(TypeLimit.of("job").maxRunning(1).build(), 0);
        gate.counted(Placement.UNKNOWN);
        assertThat(gate.round(0).tryStart(Placement.UNKNOWN)).isEqualTo(Verdict.ALLOWED);
        assertThat(gate.round(0).tryStart(task("job", null))).isEqualTo(Verdict.ALLOWED);
    }
}
