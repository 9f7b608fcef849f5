package io.ha.core.task;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The stored state of one task (JSON in {@code /tasks/<bucket>/<id>} while active, in
 * {@code /done/<STATE>/<bucket>/<id>} once terminal). Immutable; transitions return a new record with the change
 * appended to its bounded history.
 *
 * @param attempt   the current (or last) attempt number, starting at 1
 * @param agent     the agent the task is assigned to or ran on last, or null
 * @param epoch     the leader epoch of the current assignment, or 0
 * @param notBefore earliest start, epoch milliseconds (0 = at once)
 * @param lastError the error of the last failed attempt, or null
 * @param result    the handler's result once SUCCEEDED, or null
 */
public record TaskRecord(String id, String type, byte[] payload, int priority, int maxAttempts, long retryBackoffMs,
                         long notBefore, String idempotencyKey, Set<String> labels, long createdAt, TaskState state,
                         int attempt, String agent, long epoch, String lastError, byte[] result,
                         List<TaskEvent> history) {
    /** How many history entries a record keeps (the newest). */
    public static final int HISTORY_LIMIT = 32;
    private static final long MAX_BACKOFF_MS = Duration.ofMinutes(10).toMillis();

    public TaskRecord {
        labels = labels == null ? Set.of() : Set.copyOf(labels);
        history = history == null ? List.of() : List.copyOf(history);
        payload = payload == null ? new byte[0] : payload;
    }

    static TaskRecord create(String id, TaskSpec spec, long now) {
        long notBefore = spec.notBefore() == null ? 0 : spec.notBefore().toEpochMilli();
        return new TaskRecord(id, spec.type(), spec.payload(), spec.priority(), spec.maxAttempts(),
                spec.retryBackoff().toMillis(), notBefore, spec.idempotencyKey(), spec.labels(), now,
                TaskState.PENDING, 1, null, 0, null, null,
                List.of(new TaskEvent(now, TaskState.PENDING, 1, null, "submitted")));
    }

    /** The name of this task's pending pointer: priority (inverted), notBefore and id, all parseable. */
    @JsonIgnore
    public String pointerName() {
        return PendingEntry.pointerName(TaskSpec.MAX_PRIORITY - priority, notBefore, id);
    }

    TaskRecord assigned(String toAgent, long leaderEpoch, long now) {
        return with(TaskState.ASSIGNED, attempt, toAgent, leaderEpoch, notBefore, lastError, null, now, null);
    }

    TaskRecord running(long now) {
        return with(TaskState.RUNNING, attempt, agent, epoch, notBefore, lastError, null, now, null);
    }

    TaskRecord succeeded(byte[] output, long now) {
        return with(TaskState.SUCCEEDED, attempt, agent, epoch, notBefore, lastError, output, now, null);
    }

    /** Terminal without a result: FAILED, DEAD or CANCELLED. */
    TaskRecord ended(TaskState terminal, String error, long now) {
        return with(terminal, attempt, agent, epoch, notBefore, error != null ? error : lastError, null, now, error);
    }

    /** Back to PENDING for the next attempt after {@code error}, delayed by the exponential back-off. */
    TaskRecord retried(String error, long now) {
        long backoff = Math.min(MAX_BACKOFF_MS, retryBackoffMs * (1L << Math.min(20, attempt - 1)));
        int next = attempt + 1;
        return with(TaskState.PENDING, next, null, 0, now + backoff, error, null, now, error);
    }

    /** Back to PENDING without using up an attempt (handed back by a draining agent before it started). */
    TaskRecord handedBack(String reason, long now) {
        return with(TaskState.PENDING, attempt, null, 0, notBefore, lastError, null, now, reason);
    }

    /** The same record, due at once (a reassignment after an agent loss is not the task's fault). */
    TaskRecord withoutDelay() {
        return new TaskRecord(id, type, payload, priority, maxAttempts, retryBackoffMs, 0, idempotencyKey, labels,
                createdAt, state, attempt, agent, epoch, lastError, result, history);
    }

    @JsonIgnore
    public boolean attemptsLeft() {
        return attempt < maxAttempts;
    }

    @JsonIgnore
    public Instant createdAtInstant() {
        return Instant.ofEpochMilli(createdAt);
    }

    private TaskRecord with(TaskState newState, int newAttempt, String newAgent, long newEpoch, long newNotBefore,
                            String newLastError, byte[] newResult, long now, String detail) {
        List<TaskEvent> h = new ArrayList<>(history);
        h.add(new TaskEvent(now, newState, newAttempt, newAgent, detail));
        if (h.size() > HISTORY_LIMIT) {
            h = h.subList(h.size() - HISTORY_LIMIT, h.size());
        }
        return new TaskRecord(id, type, payload, priority, maxAttempts, retryBackoffMs, newNotBefore, idempotencyKey,
                labels, createdAt, newState, newAttempt, newAgent, newEpoch, newLastError, newResult, h);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskRecord t && id.equals(t.id) && type.equals(t.type)
                && java.util.Arrays.equals(payload, t.payload) && priority == t.priority
                && maxAttempts == t.maxAttempts && retryBackoffMs == t.retryBackoffMs && notBefore == t.notBefore
                && java.util.Objects.equals(idempotencyKey, t.idempotencyKey) && labels.equals(t.labels)
                && createdAt == t.createdAt && state == t.state && attempt == t.attempt
                && java.util.Objects.equals(agent, t.agent) && epoch == t.epoch
                && java.util.Objects.equals(lastError, t.lastError) && java.util.Arrays.equals(result, t.result)
                && history.equals(t.history);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(id, state, attempt, agent, epoch);
    }

    @Override
    public String toString() {
        return "TaskRecord[" + id + " " + type + " " + state + " attempt " + attempt + "/" + maxAttempts
                + (agent != null ? " on " + agent : "") + (lastError != null ? " lastError=" + lastError : "") + "]";
    }
}
