package io.ha.core.task.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.core.task.store.PendingEntry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The leader's index of pending pointers, without ZooKeeper. */
class PendingIndexTest {
    private static final String TASK = "19a2339917f-9f22c81963b5";

    @Test
    void aRefusedMoveDoesNotPutBackAnOlderPointerOverTheTasksNewerOne() {
        // The task's first pointer was moved by an earlier (applied) move; a stale copy of it was moved again in a
        // chunk that was refused. Meanwhile the task failed, was retried, and its new pointer was announced.
        PendingEntry stale = new PendingEntry(499, 0, TASK, false);
        PendingEntry retried = new PendingEntry(499, 1_000, TASK, false);
        PendingIndex index = new PendingIndex();
        index.add(retried);

        index.restore(stale);

        index.promoteDue(2_000);
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.next(10, labels -> true)).containsExactly(retried);
    }

    @Test
    void aRefusedMoveIsPutBackWhenNothingNewerArrived() {
        PendingEntry entry = new PendingEntry(499, 0, TASK, false);
        PendingIndex index = new PendingIndex();
        index.add(entry);
        index.remove(TASK); // the move was sent

        index.restore(entry);

        assertThat(index.next(10, labels -> true)).containsExactly(entry);
    }

    @Test
    void anAnnouncedPointerReplacesTheOneTheIndexHeldForTheSameTask() {
        PendingEntry first = new PendingEntry(499, 0, TASK, false);
        PendingEntry second = new PendingEntry(0, 0, TASK, false);
        PendingIndex index = new PendingIndex();
        index.add(first);

        index.add(second);

        assertThat(index.size()).isEqualTo(1);
        assertThat(index.next(10, labels -> true)).containsExactly(second);
    }

    @Test
    void delayedEntriesWaitUntilDueAndLabelledOnesUntilTheirLabelsAreKnown() {
        long later = System.currentTimeMillis() + 60_000;
        PendingEntry delayed = new PendingEntry(499, later, "19a2339917f-000000000001", false);
        PendingEntry labelled = new PendingEntry(499, 0, "19a2339917f-000000000002", true);
        PendingIndex index = new PendingIndex();
        index.add(delayed);
        index.add(labelled);

        assertThat(index.next(10, labels -> true)).containsExactly(labelled);
        assertThat(index.labelsOf(labelled)).isNull();
        index.setLabels(labelled.taskId(), Set.of("gpu"));
        assertThat(index.next(10, labels -> !labels.contains("gpu"))).isEmpty();
        index.promoteDue(later);
        assertThat(index.next(10, labels -> true)).isEqualTo(List.of(delayed, labelled));
    }
    @Test
    void entriesALimitRefusesArePassedOverUpToABound() {
        PendingIndex index = new PendingIndex();
        for (int i = 0; i < 20; i++) {
            index.add(new PendingEntry(400, 0, String.format("19a2339917f-%012d", i), false, "limited"));
        }
        PendingEntry other = new PendingEntry(400, 0, "19a2339917f-999999999999", false, "other");
        index.add(other);

        java.util.function.Predicate<Placement> admit = p -> !"limited".equals(p.type());
        assertThat(index.next(5, labels -> true, admit, 100)).containsExactly(other);
        assertThat(index.next(5, labels -> true, admit, 10)).isEmpty();
        assertThat(index.next(5, labels -> true)).hasSize(5);
    }
}
