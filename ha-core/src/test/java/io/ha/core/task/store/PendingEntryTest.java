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

        assertThat(p).isEqualTo(new PendingEntry(TaskSpec.MAX_PRIORITY - 7, 0, "1a2b-0001", false, "x"));
        assertThat(l).isEqualTo(new PendingEntry(TaskSpec.MAX_PRIORITY, 0, "1a2b-0002", true, "x"));
        assertThat(l.name()).isEqualTo(PendingEntry.pointerNameOf(labelled)).endsWith("_L_x");
        assertThat(p.name()).isEqualTo(PendingEntry.pointerNameOf(plain));
    }

    @Test
    void theTypeComesLastWhateverItContainsAndAKeyMarksTheRecordForOneRead() {
        String id = "19a2339917f-000000000001";
        for (String type : new String[] {"a_b", "_", "L", "T_L_x", "x.y z", "_L", "ü-é"}) {
            TaskRecord keyed = TaskRecord.create(id, TaskSpec.builder(type).concurrencyKey("customer_42").build(), 1);
            PendingEntry e = PendingEntry.parse(PendingEntry.pointerNameOf(keyed));
            assertThat(e).isEqualTo(new PendingEntry(TaskSpec.MAX_PRIORITY - TaskSpec.DEFAULT_PRIORITY, 0, id, true,
                    type));
            TaskRecord plain = TaskRecord.create(id, TaskSpec.builder(type).build(), 1);
            assertThat(PendingEntry.parse(PendingEntry.pointerNameOf(plain)).type()).isEqualTo(type);
            assertThat(PendingEntry.parse(PendingEntry.pointerNameOf(plain)).labelled()).isFalse();
        }
    }

    @Test
    void namesOfTheFormerFormatStillParseWithoutAType() {
        assertThat(PendingEntry.parse("899_0000000000000_" + "19a2339917f-000000000001"))
                .isEqualTo(new PendingEntry(899, 0, "19a2339917f-000000000001", false, null));
        assertThat(PendingEntry.parse("899_0000000000000_19a2339917f-000000000001_L"))
                .isEqualTo(new PendingEntry(899, 0, "19a2339917f-000000000001", true, null));
    }

    @Test
    void namesThatAreNotPointersAreRejected() {
        assertThat(PendingEntry.parse("999_0000000000000_a_X_type")).isNull();
        assertThat(PendingEntry.parse("999_0000000000000_a_T_")).isNull();
        assertThat(PendingEntry.parse("999_0000000000000_a_TT")).isNull();
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
