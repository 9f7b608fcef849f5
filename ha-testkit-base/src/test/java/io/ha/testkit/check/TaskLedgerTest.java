package io.ha.testkit.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TaskLedgerTest {
    private final TaskLedger ledger = new TaskLedger();

    @Test
    void everyAcknowledgedTaskWithOneOutcomeIsCleanAndRerunsAreCounted() {
        ledger.acknowledged("t1");
        ledger.acknowledged("t2");
        ledger.acknowledged("t2"); // a repeated acknowledgement counts once
        ledger.ran("t1", "w1");
        ledger.ran("t1", "w2"); // a rerun after w1 died
        ledger.recorded("t1", "SUCCEEDED");
        ledger.ran("t2", "w2");
        ledger.recorded("t2", "DEAD");
        TaskLedger.Report report = ledger.check().assertClean();
        assertThat(report.acknowledged()).isEqualTo(2);
        assertThat(report.reruns()).isEqualTo(Map.of("t1", 2));
        assertThat(report.outcomes("SUCCEEDED")).isEqualTo(1);
        assertThat(report.outcomes("DEAD")).isEqualTo(1);
        assertThat(report.outcomes("CANCELLED")).isZero();
        assertThat(report.describe()).contains("2 acknowledged", "clean", "t1=2").doesNotContain("NOT");
    }

    @Test
    void anAcknowledgedTaskWithoutOutcomeIsLost() {
        ledger.acknowledged("never-ran");
        ledger.acknowledged("ran");
        ledger.ran("ran", "w1");
        TaskLedger.Report report = ledger.check();
        assertThat(report.lost()).containsExactly("never-ran", "ran");
        assertThat(report.stuck()).containsExactly("ran");
        assertThatThrownBy(report::assertClean).isInstanceOf(AssertionError.class)
                .hasMessageContaining("lost (acknowledged, no outcome recorded) (2)").hasMessageContaining("never-ran");
    }

    @Test
    void twoOutcomeRecordsAreFoundWithTheirStates() {
        ledger.acknowledged("t");
        ledger.recorded("t", "SUCCEEDED");
        ledger.recorded("t", "SUCCEEDED");
        TaskLedger.Report report = ledger.check();
        assertThat(report.recordedTwice()).isEqualTo(Map.of("t", List.of("SUCCEEDED", "SUCCEEDED")));
        assertThat(report.outcomes("SUCCEEDED")).isEqualTo(2);
        assertThat(report.isClean()).isFalse();
        assertThat(report.describe()).contains("recorded twice (1)", "t=[SUCCEEDED, SUCCEEDED]");
    }

    @Test
    void aTaskThatRanWithoutOutcomeIsStuckEvenUnacknowledged() {
        ledger.ran("orphan", "w1");
        TaskLedger.Report report = ledger.check();
        assertThat(report.stuck()).containsExactly("orphan");
        assertThat(report.lost()).isEmpty();
        assertThat(report.isClean()).isFalse();
    }

    @Test
    void aRecordedTaskNeverAcknowledgedIsReportedButAllowed() {
        ledger.recorded("submit-reply-lost", "SUCCEEDED");
        TaskLedger.Report report = ledger.check();
        assertThat(report.unknown()).containsExactly("submit-reply-lost");
        assertThat(report.isClean()).isTrue();
        assertThat(report.describe()).contains("unknown (recorded, never acknowledged; allowed) (1)");
    }

    @Test
    void badInputNamesWhatIsWrong() {
        assertThatThrownBy(() -> ledger.acknowledged("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taskId");
        assertThatThrownBy(() -> ledger.ran("t", " ")).hasMessageContaining("worker");
        assertThatThrownBy(() -> ledger.recorded("t", null)).hasMessageContaining("state");
    }

    @Test
    void threadsFeedingAtOnceLoseNothing() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 3000; i++) {
            String id = "t" + i;
            pool.execute(() -> {
                ledger.acknowledged(id);
                ledger.ran(id, "w");
                ledger.recorded(id, "SUCCEEDED");
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        TaskLedger.Report report = ledger.check().assertClean();
        assertThat(report.acknowledged()).isEqualTo(3000);
        assertThat(report.outcomes("SUCCEEDED")).isEqualTo(3000);
    }
}
