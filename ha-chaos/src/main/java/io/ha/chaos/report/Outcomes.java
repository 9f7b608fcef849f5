package io.ha.chaos.report;

import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskPage;
import io.ha.core.task.TaskQueries;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What ZooKeeper says at the end of a run: the record of every acknowledged task (absent when none is stored), and
 * how many tasks the schedule enqueued.
 *
 * <p>Guarantee: each record was read after the run had settled (nothing pending, assigned or running, or the bound
 * passed). Not guaranteed: one snapshot across tasks (each is read on its own).
 */
public record Outcomes(Map<String, Optional<TaskRecord>> records, int ticks, boolean settled) {
    public Outcomes {
        records = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(records));
    }

    /**
     * Waits up to {@code bound} for the queue to settle (nothing pending, assigned or running), then reads the record of
     * each of {@code ids} and counts the tasks of {@code tickType}.
     */
    public static Outcomes read(TaskQueries queue, List<String> ids, String tickType, Duration bound)
            throws Exception {
        boolean settled = awaitSettled(queue, bound);
        Map<String, Optional<TaskRecord>> records = new LinkedHashMap<>();
        for (String id : ids) {
            records.put(id, queue.get(id));
        }
        return new Outcomes(records, count(queue, tickType), settled);
    }

    private static boolean awaitSettled(TaskQueries queue, Duration bound) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            Map<TaskState, Long> counts = queue.counts();
            long active = counts.getOrDefault(TaskState.PENDING, 0L) + counts.getOrDefault(TaskState.ASSIGNED, 0L)
                    + counts.getOrDefault(TaskState.RUNNING, 0L);
            if (active == 0) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(250);
        }
    }

    private static int count(TaskQueries queue, String type) throws Exception {
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            TaskPage page = queue.page(null, type, cursor, TaskPage.MAX_LIMIT);
            page.tasks().forEach(t -> ids.add(t.id()));
            cursor = page.next();
        } while (cursor != null);
        return ids.size();
    }

    /**
     * The outcome records a task's history shows: one per terminal entry (a task whose outcome was recorded twice
     * would show two), or its terminal state once when the history was trimmed past it.
     */
    public static List<String> outcomeRecords(TaskRecord r) {
        List<String> states = r.history().stream().map(TaskEvent::state).filter(TaskState::isTerminal)
                .map(TaskState::name).toList();
        if (states.isEmpty() && r.state().isTerminal()) {
            return List.of(r.state().name());
        }
        return r.state().isTerminal() ? states : List.of();
    }

    /** How many acknowledged tasks ended in {@code state}. */
    public long count(TaskState state) {
        return records.values().stream().filter(r -> r.isPresent() && r.get().state() == state).count();
    }
}
