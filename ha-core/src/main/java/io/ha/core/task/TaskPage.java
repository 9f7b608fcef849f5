package io.ha.core.task;

import java.util.List;

/**
 * One page of a task listing ({@link TaskQueries#page}) and the cursor of the next one.
 *
 * <p>Guarantee: following {@link #next()} from the first page to the last visits every task that stays in its state
 * meanwhile exactly once. Not guaranteed: one global order (see {@link TaskQueries#page}), a full page (a page may hold
 * fewer tasks than asked, even none, when its bounded scan ended first: follow {@code next} until it is null), or
 * tasks that move between states while the listing is walked.
 *
 * @param tasks the tasks of this page
 * @param next  the cursor of the next page, or null when this page is the last
 */
public record TaskPage(List<TaskRecord> tasks, String next) {
    /** The most tasks one page holds. */
    public static final int MAX_LIMIT = 1000;

    public TaskPage {
        tasks = List.copyOf(tasks);
    }
}
