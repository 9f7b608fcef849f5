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
 */
final class RunningTask implements TaskContext {
    private static final Logger LOG = LoggerFactory.getLogger(RunningTask.class);
    private static final long PROGRESS_INTERVAL_MS = 250;

    private final TaskStore store;
    private final String agentId;
    final String taskId;
    volatile Versioned<TaskRecord> record;
    volatile int assignmentVersion;
    volatile Assignment assignment;
    /** Taken away (cancelled or reassigned): the outcome belongs to someone else. */
    volatile boolean cancelled;
    /** The connection could not be trusted: leave the task assigned; it runs again if still ours later. */
    volatile boolean abandoned;
    volatile boolean started;
    private volatile Thread thread;
    private long lastProgressWrite;

    RunningTask(TaskStore store, String agentId, String taskId) {
        this.store = store;
        this.agentId = agentId;
        this.taskId = taskId;
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
        return record.value().maxAttempts();
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
        return cancelled || abandoned;
    }

    @Override
    public void reportProgress(int percent, String message) {
        Preconditions.checkArgument(percent >= 0 && percent <= 100, "progress must be in 0-100, got %s", percent);
        long now = System.currentTimeMillis();
        synchronized (this) {
            if (percent < 100 && now - lastProgressWrite < PROGRESS_INTERVAL_MS) {
                return;
            }
            lastProgressWrite = now;
            try {
                Assignment next = assignment.withProgress(percent, message);
                Stat stat = store.client().setData().withVersion(assignmentVersion)
                        .forPath(assignmentPath(), Json.write(next));
                assignment = next;
                assignmentVersion = stat.getVersion();
            } catch (Exception e) {
                // Progress is advisory: losing one update must not fail the task; the outcome commit still checks
                // that the assignment is ours.
                LOG.debug("progress of task {} not written: {}", taskId, e.toString());
            }
        }
    }
}
