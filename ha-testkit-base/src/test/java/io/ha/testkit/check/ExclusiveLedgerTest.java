package io.ha.testkit.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExclusiveLedgerTest {
    private final ExclusiveLedger ledger = new ExclusiveLedger();

    @Test
    void successiveHoldsWithGrowingTokensAreClean() {
        ledger.record("lock", "a", 1, 0, 10);
        ledger.record("lock", "a", 1, 10, 12); // more work under the same hold
        ledger.record("lock", "b", 2, 12, 20);
        ledger.record("other", "c", 1, 5, 15); // another lock: never conflicts with "lock"
        ExclusiveLedger.Report report = ledger.check().assertClean();
        assertThat(report.holds()).hasSize(4);
        assertThat(report.describe()).contains("4 holds", "clean").doesNotContain("NOT");
    }

    @Test
    void overlappingWorkOnOneLockIsFound() {
        ledger.record("lock", "a", 1, 0, 10);
        ledger.record("lock", "b", 2, 4, 20);
        ExclusiveLedger.Report report = ledger.check();
        assertThat(report.overlaps()).singleElement().satisfies(o -> {
            assertThat(o.first().holder()).isEqualTo("a");
            assertThat(o.second().holder()).isEqualTo("b");
            assertThat(o.length()).isEqualTo(6);
        });
        assertThat(report.tokensOutOfOrder()).isEmpty();
        assertThatThrownBy(report::assertClean).isInstanceOf(AssertionError.class)
                .hasMessageContaining("lock by a token 1 [0, 10)").hasMessageContaining("overlap by 6");
    }

    @Test
    void theZombieWindowIsToleratedAndReportedWithItsRejections() {
        ledger.record("lock", "zombie", 1, 0, 10);
        ledger.record("lock", "successor", 2, 8, 20);
        ledger.rejected("lock", "zombie", 1, 9);
        ExclusiveLedger.Report report = ledger.check(2);
        assertThat(report.isClean()).isTrue();
        assertThat(report.tolerated()).singleElement().extracting(ExclusiveLedger.Overlap::length).isEqualTo(2L);
        assertThat(report.rejections()).singleElement().satisfies(r -> {
            assertThat(r.holder()).isEqualTo("zombie");
            assertThat(r.fencingToken()).isEqualTo(1);
            assertThat(r.at()).isEqualTo(9);
        });
        assertThat(report.describe()).contains("1 stale-token rejections", "tolerated overlaps (1)",
                "lock refused zombie token 1 at 9");
        assertThat(ledger.check(1).isClean()).isFalse();
    }

    @Test
    void aTokenThatGoesBackIsFound() {
        ledger.record("lock", "a", 5, 0, 10);
        ledger.record("lock", "b", 4, 10, 20);
        ExclusiveLedger.Report report = ledger.check();
        assertThat(report.overlaps()).isEmpty();
        assertThat(report.tokensOutOfOrder()).singleElement().satisfies(c -> {
            assertThat(c.earlier().fencingToken()).isEqualTo(5);
            assertThat(c.later().fencingToken()).isEqualTo(4);
            assertThat(c.toString()).contains("token went back");
        });
        assertThat(report.isClean()).isFalse();
    }

    @Test
    void aZombieWorkingOnWithItsOldTokenIsFound() {
        ledger.record("lock", "zombie", 1, 0, 5);
        ledger.record("lock", "successor", 2, 5, 10);
        ledger.record("lock", "zombie", 1, 11, 12);
        assertThat(ledger.check().tokensOutOfOrder()).singleElement()
                .satisfies(c -> assertThat(c.later().holder()).isEqualTo("zombie"));
    }

    @Test
    void oneTokenUnderTwoHoldersIsFound() {
        ledger.record("lock", "a", 3, 0, 5);
        ledger.record("lock", "b", 3, 5, 10);
        assertThat(ledger.check().tokensOutOfOrder()).singleElement()
                .satisfies(c -> assertThat(c.toString()).contains("token 3 held by two holders"));
    }

    @Test
    void beginHandlesRecordOnEndAndCannotBeMixedWithExplicitTimes() {
        ExclusiveLedger.Interval first = ledger.begin("lock", "a", 1);
        ExclusiveLedger.Hold hold = first.end();
        assertThat(hold.end()).isGreaterThanOrEqualTo(hold.start());
        try (ExclusiveLedger.Interval second = ledger.begin("lock", "b", 2)) {
            assertThat(ledger.check().holds()).hasSize(2).last().satisfies(h -> assertThat(h.open()).isTrue());
        }
        ledger.check().assertClean();
        assertThatThrownBy(first::end).isInstanceOf(IllegalStateException.class).hasMessageContaining("lock by a");
        assertThatThrownBy(() -> ledger.record("lock", "c", 3, 0, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("explicit");
    }

    @Test
    void badInputNamesWhatIsWrong() {
        assertThatThrownBy(() -> ledger.record("", "a", 1, 0, 1)).hasMessageContaining("lock");
        assertThatThrownBy(() -> ledger.record("lock", null, 1, 0, 1)).hasMessageContaining("holder");
        assertThatThrownBy(() -> ledger.record("lock", "a", 1, 3, 2))
                .hasMessageContaining("lock by a token 1").hasMessageContaining("before it starts");
        assertThatThrownBy(() -> ledger.rejected("lock", " ", 1, 0)).hasMessageContaining("holder");
        assertThatThrownBy(() -> ledger.check(-5)).hasMessageContaining("toleratedOverlap");
    }
}
