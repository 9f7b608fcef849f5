package io.ha.core.task.work;

import com.google.common.base.Preconditions;
import io.ha.core.internal.Json;
import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskFencingToken;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.Versioned;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task an agent's worker holds: the versions it last saw of the assignment and the record (every commit checks
 * them), the thread running the handler, and why it might have to stop. Serves as the handler's {@link TaskContext}.
 *
 * <p>Who writes what (every field read by another thread is volatile or guarded by this object's monitor):
 * <ul>
 *   <li>{@link #record}: the claim thread when the reads are back ({@link #read}), then once more the committing
 *       thread when the claim is confirmed ({@link #claimed}), before the handler is handed to its executor. Never
 *       after: a drain re-reads what it needs instead of writing it here.</li>
 *   <li>{@link #assignment} (the node and its version in one value, so a reader never pairs one with the other's
 *       predecessor): the claim thread ({@link #read}), then only the handler's thread ({@link #reportProgress},
 *       under the monitor).</li>
 *   <li>{@link #started}: the committing thread, once the claim is confirmed ({@link HeldTasks#started}).</li>
 *   <li>{@link #cancelled}, {@link #abandoned}: any thread that stops the task ({@link #stop}: the pickup thread,
 *       the connection listener, a drain, close); {@code thread}: the handler's thread. All three under the monitor,
 *       so a stop either sees the handler's thread and interrupts it, or the handler sees the stop when it binds.</li>
 *   <li>{@code outcomeTaken}, {@link #timedOut}: under the monitor, by whichever comes first of the handler's thread
 *       when the handler returns ({@link #finish}) and the deadline thread at the task's timeout ({@link #expire}):
 *       exactly one of them records the attempt's outcome.</li>
 * </ul>
 * Not guaranteed: that a stop reaches a handler that ignores interrupts; the outcome is then dropped instead.
 */
final class RunningTask implements TaskContext {
    private static final Logger LOG = LoggerFactory.getLogger(RunningTask.class);
    private static final long PROGRESS_INTERVAL_MS = 250;

    private final TaskStore store;
    private final String agentId;
    final String taskId;
    private volatile Versioned<TaskRecord> record;
    private volatile Versioned<Assignment> assignment;
    /** Claimed: the record says RUNNING on this agent, and the handler runs or is about to. */
    volatile boolean started;
    /** Taken away (cancelled or reassigned): the outcome belongs to someone else. */
    private volatile boolean cancelled;
    /** The connection could not be trusted: leave the task assigned; it runs again if still ours later. */
    private volatile boolean abandoned;
    /** The attempt's deadline passed first: the deadline records the failure, the handler's result is dropped. */
    private volatile boolean timedOut;
    private boolean outcomeTaken; // guarded by this
    private Thread thread; // guarded by this
    private long lastProgressWrite; // guarded by this

    RunningTask(TaskStore store, String agentId, String taskId) {
        this.store = store;
        this.agentId = agentId;
        this.taskId = taskId;
    }

    /** What the claim thread read: the assignment always, the record once it is known to match. */
    void read(Versioned<Assignment> readAssignment, Versioned<TaskRecord> readRecord) {
        assignment = readAssignment;
        if (readRecord != null) {
            record = readRecord;
        }
    }

    /** The record as the claim wrote it; the handler and the outcome commit start from it. */
    void claimed(Versioned<TaskRecord> running) {
        record = running;
    }

    /** The record as last read or claimed; null until read. */
    Versioned<TaskRecord> record() {
        return record;
    }

    /** The assignment and its version as last read or written; null until read. */
    Versioned<Assignment> assignment() {
        return assignment;
    }

    boolean cancelled() {
        return cancelled;
    }

    boolean abandoned() {
        return abandoned;
    }

    void bind(Thread runner) {
        synchronized (this) {
            thread = runner;
            if (cancelled || abandoned) {
                runner.interrupt();
            }
        }
    }

    void unbind() {
        synchronized (this) {
            thread = null;
        }
    }

    void stop(boolean byCancel) {
        synchronized (this) {
            if (byCancel) {
                cancelled = true;
            } else {
                abandoned = true;
            }
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /**
     * The handler returned: true when its outcome is the one to record, false when the deadline took the outcome
     * first ({@link #expire}).
     */
    boolean finish() {
        synchronized (this) {
            if (outcomeTaken) {
                return false;
            }
            outcomeTaken = true;
            return true;
        }
    }

    /**
     * The attempt's deadline passed: takes the outcome (unless the handler returned, or the task was stopped, first),
     * marks the context cancelled and interrupts the handler's thread.
     *
     * @return true when the caller must record the timeout as the attempt's outcome
     */
    boolean expire() {
        synchronized (this) {
            if (outcomeTaken || cancelled || abandoned) {
                return false;
            }
            outcomeTaken = true;
            timedOut = true;
            if (thread != null) {
                thread.interrupt();
            }
            return true;
        }
    }

    boolean timedOut() {
        return timedOut;
    }

    /** The thread still running the handler, or null once it returned. */
    Thread runner() {
        synchronized (this) {
            return thread;
        }
    }

    String assignmentPath() {
        return store.paths().assignment(agentId, taskId);
    }

    @Override
    public String taskId() {
        return taskId;
    }

    @Override
    public String type() {
        return record.value().type();
    }

    @Override
    public byte[] payload() {
        return record.value().payload().clone();
    }

    @Override
    public byte[] input() {
        byte[] input = record.value().input();
        return input == null ? new byte[0] : input.clone();
    }

    @Override
    public String parentId() {
        return record.value().parentId();
    }

    @Override
    public int attempt() {
        return record.value().attempt();
    }

    @Override
    public int maxAttempts() {
        return record.value().lastAttempt();
    }

    @Override
    public TaskFencingToken fencingToken() {
        return new TaskFencingToken(taskId, record.value().attempt(), record.value().epoch());
    }

    @Override
    public String agentId() {
        return agentId;
    }

    @Override
    public boolean isCancelled() {
        return cancelled || abandoned || timedOut;
    }

    @Override
    public void reportProgress(int percent, String message) {
        Preconditions.checkArgument(percent >= 0 && percent <= 100, "progress must be in 0-100, got %s", percent);
        long now = System.currentTimeMillis();
        synchronized (this) {
            if (timedOut) {
                // The deadline's commit checks the assignment's version it read: a later write would refuse it.
                return;
            }
            if (percent < 100 && now - lastProgressWrite < PROGRESS_INTERVAL_MS) {
                return;
            }
            lastProgressWrite = now;
            try {
                Versioned<Assignment> last = assignment;
                Assignment next = last.value().withProgress(percent, message);
                Stat stat = store.client().setData().withVersion(last.version())
                        .forPath(assignmentPath(), Json.write(next));
                assignment = new Versioned<>(next, stat.getVersion());
            } catch (Exception e) {
                // Progress is advisory: losing one update must not fail the task; the outcome commit still checks
                // that the assignment is ours.
                LOG.debug("progress of task {} not written: {}", taskId, e.toString());
            }
        }
    }
}
