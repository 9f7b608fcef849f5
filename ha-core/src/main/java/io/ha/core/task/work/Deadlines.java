package io.ha.core.task.work;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.core.Names;
import java.io.Closeable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The attempt deadlines of one worker's tasks ({@code TaskSpec.timeout}), all on one scheduler thread: a task with
 * a timeout costs a queue entry, not a thread. Cancelled deadlines leave the queue at once, so many short tasks with
 * long timeouts do not pile up.
 *
 * <p>Guarantee: a deadline's action runs on the scheduler thread no earlier than its delay, unless cancelled first.
 * Not guaranteed: that it runs exactly at the deadline (a busy scheduler delays it); actions must be quick and never
 * block on ZooKeeper (they hand commits to the committing thread).
 */
final class Deadlines implements Closeable {
    private final ScheduledThreadPoolExecutor scheduler;

    Deadlines(String agentId) {
        scheduler = new ScheduledThreadPoolExecutor(1, new ThreadFactoryBuilder()
                .setNameFormat("ha-deadline-" + Names.forThreadName(agentId)).setDaemon(true).build());
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code action} after {@code delayMs}; null when the worker is closing (nothing is scheduled then). */
    ScheduledFuture<?> after(long delayMs, Runnable action) {
        try {
            return scheduler.schedule(action, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null; // closing: the task is stopped and its outcome dropped anyway
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
