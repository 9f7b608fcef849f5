package io.ha.core.task.work;

import io.ha.core.task.NonRetryableTaskException;
import io.ha.core.task.TaskHandler;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a claimed task's handler on its type's executor and turns what the handler did into the next record: SUCCEEDED
 * with its result, FAILED for a result over the limit or a {@link NonRetryableTaskException}, back to PENDING for the
 * next attempt after any other failure, or DEAD once the attempts are spent. Hands that record to the
 * {@link OutcomeCommitter}, unless the task was stopped meanwhile.
 *
 * <p>A task with a timeout ({@code TaskSpec.timeout}) gets a deadline on the worker's one {@link Deadlines} thread
 * when its handler starts. At the deadline the handler's thread is interrupted, the context reads as cancelled, and
 * the attempt is recorded at once as failed with "timed out after ... (task timeout)", through the same rule as a
 * thrown exception (retry with back-off, or DEAD once the attempts are spent); the task is released then, so its
 * next attempt may run here while a handler that ignores interrupts is still busy. Whatever that handler returns
 * later is dropped (logged), and a WARN line says when its thread is still running a second after the deadline.
 *
 * <p>Guarantees: a task stopped because it was taken away or because the connection could not be trusted records no
 * outcome here; exactly one of the handler's return and the deadline records an attempt's outcome; the handler's
 * thread leaves with its interrupt flag cleared (executor threads are reused). Not guaranteed: that the handler stops
 * when interrupted; it is only asked to (its executor slot stays busy until it returns).
 */
final class TaskRunner {
    /** The worker's logger: the parts of the worker log as it always did. */
    private static final Logger LOG = LoggerFactory.getLogger(AgentWorker.class);
    private static final int ERROR_LIMIT = 4096;
    /** How long after a deadline a handler's thread may still be running before a WARN line says so. */
    private static final long STUCK_AFTER_MS = 1000;

    private final Handlers handlers;
    private final HeldTasks held;
    private final OutcomeCommitter committer;
    private final int maxResultBytes;
    private final Runnable relist;
    private final Deadlines deadlines;

    /** @param relist asks for a listing of the assignments (after a task abandoned on an untrusted connection) */
    TaskRunner(Handlers handlers, HeldTasks held, OutcomeCommitter committer, int maxResultBytes, Runnable relist,
               Deadlines deadlines) {
        this.deadlines = deadlines;
        this.handlers = handlers;
        this.held = held;
        this.committer = committer;
        this.maxResultBytes = maxResultBytes;
        this.relist = relist;
    }

    /** Starts the handler of a task whose claim was just confirmed (called on the committing thread). */
    void start(RunningTask rt) {
        Handlers.Registration reg = handlers.get(rt.record().value().type());
        held.started(rt);
        try {
            reg.executor().execute(() -> execute(rt, reg.handler()));
        } catch (RejectedExecutionException e) {
            held.release(rt); // closing: the leader reassigns it once this agent is gone
        }
    }

    private void execute(RunningTask rt, TaskHandler handler) {
        rt.bind(Thread.currentThread());
        long timeoutMs = rt.record().value().timeoutMs();
        ScheduledFuture<?> deadline = timeoutMs > 0 ? deadlines.after(timeoutMs, () -> expire(rt, timeoutMs)) : null;
        TaskRecord next;
        try {
            next = succeeded(rt.record().value(), handler.handle(rt), maxResultBytes, System.currentTimeMillis());
        } catch (Exception | Error e) {
            next = failed(rt.record().value(), e, System.currentTimeMillis());
        } finally {
            rt.unbind();
            if (deadline != null) {
                deadline.cancel(false);
            }
            Thread.interrupted();
        }
        if (!rt.finish()) {
            // The deadline recorded this attempt's failure and released the task; this late outcome is not the one.
            LOG.info("task {} attempt {}: the handler returned {} after its timeout; that outcome is dropped",
                    rt.taskId, rt.record().value().attempt(), next.state());
            return;
        }
        try {
            if (rt.cancelled()) {
                LOG.info("task {} was cancelled or taken away while running; its outcome is dropped", rt.taskId);
            } else if (rt.abandoned()) {
                LOG.info("task {} interrupted: connection lost; it runs again if still ours after reconnecting",
                        rt.taskId);
            } else {
                committer.record(rt, next);
            }
        } finally {
            held.release(rt);
            if (rt.abandoned()) {
                relist.run();
            }
        }
    }

    /**
     * The deadline of a task's attempt passed (on the deadline thread): unless the handler returned or the task was
     * stopped first, records the attempt as failed by its timeout without waiting for the handler, and releases the
     * task once that commit is done.
     */
    private void expire(RunningTask rt, long timeoutMs) {
        if (!rt.expire()) {
            return;
        }
        TaskRecord next = failed(rt.record().value(), new TimeoutException("timed out after "
                + describeMillis(timeoutMs) + " (task timeout)"), System.currentTimeMillis());
        committer.recordLater(rt, next).whenComplete((ignored, e) -> {
            held.release(rt);
            if (rt.abandoned()) {
                relist.run();
            }
        });
        deadlines.after(STUCK_AFTER_MS, () -> {
            Thread runner = rt.runner();
            if (runner != null) {
                LOG.warn("task {}: handler thread {} still running {} ms after the task timeout; it ignores "
                        + "interrupts, its result will be dropped and its slot stays busy until it returns",
                        rt.taskId, runner.getName(), STUCK_AFTER_MS);
            }
        });
    }

    /** 30000 as "30s", 1500 as "1500ms". */
    static String describeMillis(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /**
     * The record after the handler returned {@code result}: SUCCEEDED, or FAILED when the result is over
     * {@code maxResultBytes} (it is stored in the done record and handed to follow-ups: the payload's limit applies).
     */
    static TaskRecord succeeded(TaskRecord current, byte[] result, int maxResultBytes, long now) {
        if (result != null && result.length > maxResultBytes) {
            return failed(current, new NonRetryableTaskException("result of " + result.length
                    + " bytes is over the limit of " + maxResultBytes
                    + " bytes; store large results elsewhere and return a reference"), now);
        }
        return current.succeeded(result, now);
    }

    /**
     * The record after the handler threw {@code e}: FAILED for a {@link NonRetryableTaskException}, else the next
     * attempt (with back-off) while attempts are left, else DEAD.
     */
    static TaskRecord failed(TaskRecord current, Throwable e, long now) {
        String error = describe(e);
        if (e instanceof NonRetryableTaskException) {
            return current.ended(TaskState.FAILED, error, now);
        }
        return current.attemptsLeft() ? current.retried(error, now)
                : current.ended(TaskState.DEAD, error + " (attempt " + current.attempt() + " of "
                        + current.lastAttempt() + ")", now);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        String text = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return text.length() > ERROR_LIMIT ? text.substring(0, ERROR_LIMIT) : text;
    }
}
