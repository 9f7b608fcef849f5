package io.ha.core.task;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.google.common.base.Preconditions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The stored state of one task (JSON in {@code /tasks/<bucket>/<id>} while active, in
 * {@code /done/<STATE>/<bucket>/<id>} once terminal). Immutable; transitions return a new record with the change
 * appended to its bounded history. The transitions are those ha-core's components write; calling one stores nothing.
 *
 * @param attempt   the current (or last) attempt number, starting at 1
 * @param agent     the agent the task is assigned to or ran on last, or null
 * @param epoch     the leader epoch of the current assignment, or 0
 * @param notBefore earliest start, epoch milliseconds (0 = at once)
 * @param lastError the error of the last failed attempt, or null
 * @param result    the handler's result once SUCCEEDED, or null
 * @param onSuccess follow-ups to create when it succeeds
 * @param onFailure follow-ups to create when it ends FAILED or DEAD
 * @param parentId  the task whose outcome created this one, or null
 * @param input     the parent's result (or last error, for a failure follow-up), or null
 * @param children  ids of the follow-ups created by this task's outcome
 * @param timeoutMs longest an attempt may run, in milliseconds, or 0 for no limit
 * @param concurrencyKey what the per-key limit of the task's type counts, or null
 * @param groupId   the group this task belongs to (a member, a step of a member's chain, or the join), or null
 * @param groupIndex the member's index in its group, or -1 for the join (meaningless without a group)
 * @param firstAttempt the first attempt of the current budget of {@code maxAttempts}: 1, or the attempt that
 *                  {@code TaskQueue.retry} started (attempt numbers only grow, so fencing tokens never repeat)
 */
public record TaskRecord(String id, String type, byte[] payload, int priority, int maxAttempts, long retryBackoffMs,
                         long notBefore, String idempotencyKey, Set<String> labels, long createdAt, TaskState state,
                         int attempt, String agent, long epoch, String lastError, byte[] result,
                         List<TaskEvent> history, List<TaskTemplate> onSuccess, List<TaskTemplate> onFailure,
                         String parentId, byte[] input, List<String> children, long timeoutMs,
                         String concurrencyKey, String groupId, int groupIndex, int firstAttempt) {
    /** How many history entries a record keeps (the newest). */
    public static final int HISTORY_LIMIT = 32;
    private static final long MAX_BACKOFF_MS = Duration.ofMinutes(10).toMillis();

    /**
     * @throws IllegalArgumentException when the id, type or state is missing: no writer stores such a record, so a
     *                                  stored one is corrupt (and a reader of it must say so, not crash on it)
     */
    public TaskRecord {
        Preconditions.checkArgument(id != null && type != null && state != null,
                "task record lacks its id, type or state (id %s, type %s, state %s)", id, type, state);
        labels = labels == null ? Set.of() : Set.copyOf(labels);
        history = history == null ? List.of() : List.copyOf(history);
        payload = payload == null ? new byte[0] : payload;
        onSuccess = onSuccess == null ? List.of() : List.copyOf(onSuccess);
        onFailure = onFailure == null ? List.of() : List.copyOf(onFailure);
        children = children == null ? List.of() : List.copyOf(children);
        firstAttempt = Math.max(1, firstAttempt);
    }

    public static TaskRecord create(String id, TaskSpec spec, long now) {
        TaskTemplate template = TaskTemplate.of(spec);
        long notBefore = spec.notBefore() == null ? 0 : spec.notBefore().toEpochMilli();
        return new TaskRecord(id, spec.type(), spec.payload(), spec.priority(), spec.maxAttempts(),
                spec.retryBackoff().toMillis(), notBefore, spec.idempotencyKey(), spec.labels(), now,
                TaskState.PENDING, 1, null, 0, null, null,
                List.of(new TaskEvent(now, TaskState.PENDING, 1, null, "submitted")),
                template.onSuccess(), template.onFailure(), null, null, null, template.timeoutMs(),
                template.concurrencyKey(), null, 0, 1);
    }

    /** A follow-up of {@code parent}, created by its outcome; a step of a group's chain stays in the group. */
    public static TaskRecord followUp(String id, TaskTemplate t, TaskRecord parent, byte[] input, long now) {
        return new TaskRecord(id, t.type(), t.payload(), t.priority(), t.maxAttempts(), t.retryBackoffMs(), 0, null,
                t.labels(), now, TaskState.PENDING, 1, null, 0, null, null,
                List.of(new TaskEvent(now, TaskState.PENDING, 1, null, "follow-up of " + parent.id())),
                t.onSuccess(), t.onFailure(), parent.id(), input, null, t.timeoutMs(), t.concurrencyKey(),
                parent.groupId(), parent.groupIndex(), 1);
    }

    /**
     * The join (or onFailure) task of group {@code groupId}, created by the outcome that ended its last member: its
     * parent is the group (its {@code parentId} is the group id) and its index -1.
     */
    public static TaskRecord joinOf(String id, TaskTemplate t, String groupId, byte[] input, long now) {
        return new TaskRecord(id, t.type(), t.payload(), t.priority(), t.maxAttempts(), t.retryBackoffMs(), 0, null,
                t.labels(), now, TaskState.PENDING, 1, null, 0, null, null,
                List.of(new TaskEvent(now, TaskState.PENDING, 1, null, "join of group " + groupId)),
                t.onSuccess(), t.onFailure(), groupId, input, null, t.timeoutMs(), t.concurrencyKey(), groupId, -1, 1);
    }

    /** The follow-ups that an outcome in {@code terminal} creates (none for CANCELLED). */
    public List<TaskTemplate> followUpsFor(TaskState terminal) {
        return switch (terminal) {
            case SUCCEEDED -> onSuccess;
            case FAILED, DEAD -> onFailure;
            default -> List.of();
        };
    }

    public TaskRecord assigned(String toAgent, long leaderEpoch, long now) {
        return next(TaskState.ASSIGNED, attempt, toAgent, leaderEpoch, notBefore, lastError, null, now, null);
    }

    public TaskRecord running(long now) {
        return next(TaskState.RUNNING, attempt, agent, epoch, notBefore, lastError, null, now, null);
    }

    /**
     * The record an agent writes when it starts the task: the leader's assignment only moved the pending pointer to
     * the agent's directory, so a PENDING record is marked ASSIGNED (as of the assignment) and RUNNING at once.
     */
    public TaskRecord claimed(String byAgent, long leaderEpoch, long assignedAt, long now) {
        TaskRecord r = state == TaskState.PENDING ? assigned(byAgent, leaderEpoch, assignedAt) : this;
        return r.running(now);
    }

    /**
     * How a task that sits in an agent's assignment directory looks before that agent claimed it: ASSIGNED to the
     * agent (the stored record still says PENDING). A view for readers; never written.
     */
    public TaskRecord asAssignedTo(String toAgent) {
        if (state != TaskState.PENDING) {
            return this;
        }
        return new TaskRecord(id, type, payload, priority, maxAttempts, retryBackoffMs, notBefore, idempotencyKey,
                labels, createdAt, TaskState.ASSIGNED, attempt, toAgent, epoch, lastError, result, history, onSuccess,
                onFailure, parentId, input, children, timeoutMs, concurrencyKey, groupId, groupIndex, firstAttempt);
    }

    public TaskRecord succeeded(byte[] output, long now) {
        return next(TaskState.SUCCEEDED, attempt, agent, epoch, notBefore, lastError, output, now, null);
    }

    /** Terminal without a result: FAILED, DEAD or CANCELLED. */
    public TaskRecord ended(TaskState terminal, String error, long now) {
        return next(terminal, attempt, agent, epoch, notBefore, error != null ? error : lastError, null, now, error);
    }

    /** Back to PENDING for the next attempt after {@code error}, delayed by the exponential back-off. */
    public TaskRecord retried(String error, long now) {
        long backoff = Math.min(MAX_BACKOFF_MS, retryBackoffMs * (1L << Math.min(20, attempt - 1)));
        return next(TaskState.PENDING, attempt + 1, null, 0, now + backoff, error, null, now, error);
    }

    /** Back to PENDING without using up an attempt (handed back by a draining agent before it started). */
    public TaskRecord handedBack(String reason, long now) {
        return next(TaskState.PENDING, attempt, null, 0, notBefore, lastError, null, now, reason);
    }

    /**
     * A DEAD or FAILED task put back to PENDING by {@code by} ({@code TaskQueue.retry}): due at once, with a fresh
     * budget of {@code maxAttempts} attempts starting at the next attempt number (numbers keep growing, so a
     * handler's fencing token never repeats), its history and last error kept.
     */
    public TaskRecord revived(String by, long now) {
        TaskRecord freshBudget = new TaskRecord(id, type, payload, priority, maxAttempts, retryBackoffMs, notBefore,
                idempotencyKey, labels, createdAt, state, attempt, agent, epoch, lastError, result, history, onSuccess,
                onFailure, parentId, input, children, timeoutMs, concurrencyKey, groupId, groupIndex, attempt + 1);
        return freshBudget.next(TaskState.PENDING, attempt + 1, null, 0, 0, lastError, null, now, "retried by " + by
                + " after " + state + " at attempt " + attempt);
    }

    /** The same record, due at once (a reassignment after an agent loss is not the task's fault). */
    public TaskRecord withoutDelay() {
        return new TaskRecord(id, type, payload, priority, maxAttempts, retryBackoffMs, 0, idempotencyKey, labels,
                createdAt, state, attempt, agent, epoch, lastError, result, history, onSuccess, onFailure, parentId,
                input, children, timeoutMs, concurrencyKey, groupId, groupIndex, firstAttempt);
    }

    public TaskRecord withChildren(List<String> childIds) {
        return new TaskRecord(id, type, payload, priority, maxAttempts, retryBackoffMs, notBefore, idempotencyKey,
                labels, createdAt, state, attempt, agent, epoch, lastError, result, history, onSuccess, onFailure,
                parentId, input, childIds, timeoutMs, concurrencyKey, groupId, groupIndex, firstAttempt);
    }

    /** The same record as a member of {@code group} at {@code index} (-1: the group's join). */
    public TaskRecord inGroup(String group, int index) {
        return new TaskRecord(id, type, payload, priority, maxAttempts, retryBackoffMs, notBefore, idempotencyKey,
                labels, createdAt, state, attempt, agent, epoch, lastError, result, history, onSuccess, onFailure,
                parentId, input, children, timeoutMs, concurrencyKey, group, index, firstAttempt);
    }

    @JsonIgnore
    public boolean attemptsLeft() {
        return attempt < lastAttempt();
    }

    /** The last attempt number of the current budget: {@code maxAttempts} unless the task was retried. */
    @JsonIgnore
    public int lastAttempt() {
        return firstAttempt + maxAttempts - 1;
    }

    @JsonIgnore
    public Instant createdAtInstant() {
        return Instant.ofEpochMilli(createdAt);
    }

    private TaskRecord next(TaskState newState, int newAttempt, String newAgent, long newEpoch, long newNotBefore,
                            String newLastError, byte[] newResult, long now, String detail) {
        List<TaskEvent> h = new ArrayList<>(history);
        h.add(new TaskEvent(now, newState, newAttempt, newAgent, detail));
        if (h.size() > HISTORY_LIMIT) {
            h = h.subList(h.size() - HISTORY_LIMIT, h.size());
        }
        return new TaskRecord(id, type, payload, priority, maxAttempts, retryBackoffMs, newNotBefore, idempotencyKey,
                labels, createdAt, newState, newAttempt, newAgent, newEpoch, newLastError, newResult, h, onSuccess,
                onFailure, parentId, input, children, timeoutMs, concurrencyKey, groupId, groupIndex, firstAttempt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskRecord t && id.equals(t.id) && type.equals(t.type) && Arrays.equals(payload, t.payload)
                && priority == t.priority && maxAttempts == t.maxAttempts && retryBackoffMs == t.retryBackoffMs
                && notBefore == t.notBefore && Objects.equals(idempotencyKey, t.idempotencyKey)
                && labels.equals(t.labels) && createdAt == t.createdAt && state == t.state && attempt == t.attempt
                && Objects.equals(agent, t.agent) && epoch == t.epoch && Objects.equals(lastError, t.lastError)
                && Arrays.equals(result, t.result) && history.equals(t.history) && onSuccess.equals(t.onSuccess)
                && onFailure.equals(t.onFailure) && Objects.equals(parentId, t.parentId)
                && Arrays.equals(input, t.input) && children.equals(t.children) && timeoutMs == t.timeoutMs
                && Objects.equals(concurrencyKey, t.concurrencyKey) && Objects.equals(groupId, t.groupId)
                && groupIndex == t.groupIndex && firstAttempt == t.firstAttempt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, state, attempt, agent, epoch);
    }

    @Override
    public String toString() {
        return "TaskRecord[" + id + " " + type + " " + state + " attempt " + attempt + "/" + maxAttempts
                + (agent != null ? " on " + agent : "") + (lastError != null ? " lastError=" + lastError : "") + "]";
    }
}
