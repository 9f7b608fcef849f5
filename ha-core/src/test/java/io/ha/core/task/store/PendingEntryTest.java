package io.ha.core.task.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PendingEntryTest {
    @Test
    void pointerNamesSayPriorityStartTimeIdAndWhetherLabelsAreRequired() {
        TaskRecord plain = TaskRecord.create("1a2b-0001", TaskSpec.builder("x").priority(7).build(), 1000);
        TaskRecord labelled = TaskRecord.create("1a2b-0002", TaskSpec.builder("x").priority(0).labels(Set.of("gpu")).build(),
                1000);

        PendingEntry p = PendingEntry.parse(PendingEntry.pointerNameOf(plain));
        PendingEntry l = PendingEntry.parse(PendingEntry.pointerNameOf(labelled));

        assertThat(p).isEqualTo(new PendingEntry(TaskSpec.MAX_PRIORITY - 7, 0, "1a2b-0001", false));
        assertThat(l).isEqualTo(new PendingEntry(TaskSpec.MAX_PRIORITY, 0, "1a2b-0002", true));
        assertThat(l.name()).isEqualTo(PendingEntry.pointerNameOf(labelled)).endsWith("_L");
        assertThat(p.name()).isEqualTo(PendingEntry.pointerNameOf(plain));
    }

    @Test
    void namesThatAreNotPointersAreRejected() {
        assertThat(PendingEntry.parse("garbage")).isNull();
        assertThat(PendingEntry.parse("999_0000000000000_")).isNull();
        assertThat(PendingEntry.parse("999_0000000000000__L")).isNull();
        assertThat(PendingEntry.parse("999_0000000000000_a_b")).isNull();
        assertThat(PendingEntry.parse("99x_0000000000000_id")).isNull();
    }

    @Test
    void namesAreWrittenExactlyAsEarlierVersionsWroteThem() {
        // Pointers and ids already stored by earlier versions (String.format) must keep matching, name for name.
        long[] times = {0, 1, 999, 1_700_000_000_000L, 9_999_999_999_999L};
        for (int prio : new int[] {0, 7, 42, 999}) {
            for (long t : times) {
                assertThat(PendingEntry.pointerName(prio, t, "id-1", false))
                        .isEqualTo(String.format("%03d_%013d_%s", prio, t, "id-1"));
                assertThat(PendingEntry.pointerName(prio, t, "id-1", true))
                        .isEqualTo(String.format("%03d_%013d_%s", prio, t, "id-1") + "_L");
            }
        }
        for (long t : times) {
            assertThat(TaskIds.newId(t)).matches(String.format("%011x", t) + "-[0-9a-f]{12}");
        }
    }
}
