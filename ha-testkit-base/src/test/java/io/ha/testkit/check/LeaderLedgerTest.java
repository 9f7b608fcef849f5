package io.ha.testkit.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeaderLedgerTest {
    private final LeaderLedger ledger = new LeaderLedger();

    @Test
    void successiveLeadersWithGrowingEpochsAreClean() {
        ledger.record("a", 1, 0, 10);
        ledger.record("b", 2, 10, 20);
        ledger.record("a", 3, 20, 30);
        LeaderLedger.Report report = ledger.check().assertClean();
        assertThat(report.intervals()).hasSize(3);
        assertThat(report.maxConcurrent()).isEqualTo(1);
        assertThat(report.overlaps()).isEmpty();
        assertThat(report.tolerated()).isEmpty();
        assertThat(report.describe()).contains("3 intervals", "clean").doesNotContain("NOT");
    }

    @Test
    void twoLeadersAtOnceAreAnOverlapThatFailsTheAssertion() {
        ledger.record("a", 1, 0, 10);
        ledger.record("b", 2, 5, 15);
        LeaderLedger.Report report = ledger.check();
        assertThat(report.isClean()).isFalse();
        assertThat(report.maxConcurrent()).isEqualTo(2);
        assertThat(report.overlaps()).singleElement().satisfies(o -> {
            assertThat(o.first().holder()).isEqualTo("a");
            assertThat(o.second().holder()).isEqualTo("b");
            assertThat(o.length()).isEqualTo(5);
        });
        assertThatThrownBy(report::assertClean).isInstanceOf(AssertionError.class)
                .hasMessageContaining("NOT clean").hasMessageContaining("a epoch 1 [0, 10)")
                .hasMessageContaining("b epoch 2 [5, 15)").hasMessageContaining("overlap by 5");
    }

    @Test
    void anOverlapWithinTheToleranceIsReportedApartAndStaysClean() {
        ledger.record("zombie", 1, 0, 10);
        ledger.record("successor", 2, 7, 20);
        LeaderLedger.Report within = ledger.check(3);
        assertThat(within.isClean()).isTrue();
        assertThat(within.overlaps()).isEmpty();
        assertThat(within.tolerated()).singleElement().extracting(LeaderLedger.Overlap::length).isEqualTo(3L);
        assertThat(within.describe()).contains("tolerated overlaps (1)");
        assertThat(ledger.check(2).overlaps()).hasSize(1);
        assertThat(ledger.check(2).tolerated()).isEmpty();
    }

    @Test
    void oneHolderLeadingTwiceAtOnceIsAnOverlap() {
        ledger.record("a", 1, 0, 10);
        ledger.record("a", 2, 9, 12);
        assertThat(ledger.check().overlaps()).hasSize(1);
    }

    @Test
    void oneEpochUnderTwoHoldersIsFound() {
        ledger.record("a", 4, 0, 10);
        ledger.record("b", 4, 10, 20);
        LeaderLedger.Report report = ledger.check();
        assertThat(report.overlaps()).isEmpty();
        assertThat(report.epochsReused()).singleElement().satisfies(c -> {
            assertThat(c.sameEpoch()).isTrue();
            assertThat(c.earlier().holder()).isEqualTo("a");
            assertThat(c.later().holder()).isEqualTo("b");
        });
        assertThat(report.isClean()).isFalse();
        assertThat(report.describe()).contains("epoch 4 held by two holders");
    }

    @Test
    void anEpochThatGoesBackIsFound() {
        ledger.record("a", 5, 0, 10);
        ledger.record("b", 3, 10, 20);
        assertThat(ledger.check().epochsReused()).singleElement().satisfies(c -> {
            assertThat(c.sameEpoch()).isFalse();
            assertThat(c.toString()).contains("epoch went back");
        });
    }

    @Test
    void oneTermRecordedInPiecesIsClean() {
        ledger.record("a", 1, 0, 5);
        ledger.record("a", 1, 5, 10);
        ledger.record("b", 2, 10, 11);
        ledger.check().assertClean();
    }

    @Test
    void beginHandlesTimeByNanoTimeAndOpenOnesCountAsRunning() {
        LeaderLedger.Interval a = ledger.begin("a", 1);
        assertThat(ledger.active()).isEqualTo(1);
        assertThat(ledger.check().intervals()).singleElement().satisfies(t -> assertThat(t.open()).isTrue());
        LeaderLedger.Term ended = a.end();
        assertThat(ended.end()).isGreaterThanOrEqualTo(ended.start());
        try (LeaderLedger.Interval b = ledger.begin("b", 2)) {
            assertThat(b.start()).isGreaterThanOrEqualTo(ended.end());
        }
        assertThat(ledger.active()).isZero();
        ledger.check().assertClean();

        LeaderLedger.Interval c = ledger.begin("c", 3);
        LeaderLedger.Interval d = ledger.begin("d", 4);
        busyWaitPast(d.start());
        assertThat(ledger.check().overlaps()).as("two open intervals").hasSize(1);
        d.end();
        c.end();
        assertThat(ledger.check().overlaps()).hasSize(1);
        assertThatThrownBy(c::end).isInstanceOf(IllegalStateException.class).hasMessageContaining("c epoch 3");
    }

    @Test
    void explicitTimesAndBeginCannotBeMixed() {
        ledger.record("a", 1, 0, 10);
        assertThatThrownBy(() -> ledger.begin("b", 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("System.nanoTime");
        LeaderLedger other = new LeaderLedger();
        other.begin("a", 1).end();
        assertThatThrownBy(() -> other.record("b", 2, 0, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("explicit");
    }

    @Test
    void badInputNamesWhatIsWrong() {
        assertThatThrownBy(() -> ledger.record(" ", 1, 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holder");
        assertThatThrownBy(() -> ledger.record("a", 1, 10, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a epoch 1").hasMessageContaining("ends (5) before it starts (10)");
        assertThatThrownBy(() -> ledger.check(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("toleratedOverlap");
    }

    @Test
    void threadsFeedingAtOnceLoseNoInterval() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 2000; i++) {
            long slot = i;
            pool.execute(() -> ledger.record("h" + slot % 7, slot, slot * 10, slot * 10 + 10));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        LeaderLedger.Report report = ledger.check().assertClean();
        assertThat(report.intervals()).hasSize(2000);
    }

    @Test
    void findsTheSameOverlapsAsComparingEveryPair() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            LeaderLedger l = new LeaderLedger();
            List<long[]> spans = new ArrayList<>();
            int n = 1 + random.nextInt(30);
            for (int i = 0; i < n; i++) {
                long start = random.nextInt(200);
                long end = start + random.nextInt(30);
                spans.add(new long[] {start, end});
                l.record("h" + i, i, start, end);
            }
            long tolerance = random.nextInt(5);
            int beyond = 0;
            int within = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    long shared = Math.min(spans.get(i)[1], spans.get(j)[1]) - Math.max(spans.get(i)[0], spans.get(j)[0]);
                    if (shared > tolerance) {
                        beyond++;
                    } else if (shared > 0) {
                        within++;
                    }
                }
            }
            LeaderLedger.Report report = l.check(tolerance);
            String context = "seed " + seed + " round " + round + ": " + report.intervals();
            assertThat(report.overlaps()).as(context).hasSize(beyond);
            assertThat(report.tolerated()).as(context).hasSize(within);
        }
    }

    private static void busyWaitPast(long nanoTime) {
        while (System.nanoTime() <= nanoTime) {
            Thread.onSpinWait();
        }
    }
}
