package io.ha.core.task;

import io.ha.core.TaskRejectedException;
import java.util.List;
import java.util.Set;

/**
 * A task to create later, stored inside another record: a follow-up of a parent task, or the task a schedule
 * enqueues on each tick. The JSON form of a {@link TaskSpec} without its time and idempotency fields (a follow-up
 * starts when its parent ends and is created exactly once with it; a schedule derives the key from the tick).
 */
public record TaskTemplate(String type, byte[] payload, int priority, int maxAttempts, long retryBackoffMs,
                           Set<String> labels, List<TaskTemplate> onSuccess, List<TaskTemplate> onFailure,
                           long timeoutMs, String concurrencyKey) {
    /** @throws IllegalArgumentException when the type is missing (a stored template without one is corrupt) */
    public TaskTemplate {
        if (type == null) {
            throw new IllegalArgumentException("task template lacks its type");
        }
        payload = payload == null ? new byte[0] : payload;
        labels = labels == null ? Set.of() : Set.copyOf(labels);
        onSuccess = onSuccess == null ? List.of() : List.copyOf(onSuccess);
        onFailure = onFailure == null ? List.of() : List.copyOf(onFailure);
    }

    /** @throws TaskRejectedException when the spec carries what a template cannot (an idempotency key) */
    public static TaskTemplate of(TaskSpec spec) {
        return new TaskTemplate(spec.type(), spec.payload(), spec.priority(), spec.maxAttempts(),
                spec.retryBackoff().toMillis(), spec.labels(),
                spec.then().stream().map(TaskTemplate::ofFollowUp).toList(),
                spec.onFailure().stream().map(TaskTemplate::ofFollowUp).toList(),
                spec.timeout() == null ? 0 : spec.timeout().toMillis(), spec.concurrencyKey());
    }

    private static TaskTemplate ofFollowUp(TaskSpec spec) {
        if (spec.idempotencyKey() != null) {
            throw new TaskRejectedException("follow-up task of type '" + spec.type() + "' must not carry an "
                    + "idempotency key: it is created exactly once, with its parent's outcome");
        }
        return of(spec);
    }

    /** The spec this template describes, due at {@code notBefore} (null: at once) with the given key. */
    public TaskSpec toSpec(java.time.Instant notBefore, String idempotencyKey) {
        return new TaskSpec(type, payload, priority, maxAttempts, java.time.Duration.ofMillis(retryBackoffMs),
                notBefore, idempotencyKey, labels,
                onSuccess.stream().map(t -> t.toSpec(null, null)).toList(),
                onFailure.stream().map(t -> t.toSpec(null, null)).toList(),
                timeoutMs == 0 ? null : java.time.Duration.ofMillis(timeoutMs), concurrencyKey);
    }

    /** Number of tasks in this template's tree, itself included. */
    int size() {
        return 1 + onSuccess.stream().mapToInt(TaskTemplate::size).sum()
                + onFailure.stream().mapToInt(TaskTemplate::size).sum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskTemplate t && type.equals(t.type) && java.util.Arrays.equals(payload, t.payload)
                && priority == t.priority && maxAttempts == t.maxAttempts && retryBackoffMs == t.retryBackoffMs
                && labels.equals(t.labels) && onSuccess.equals(t.onSuccess) && onFailure.equals(t.onFailure)
                && timeoutMs == t.timeoutMs && java.util.Objects.equals(concurrencyKey, t.concurrencyKey);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, java.util.Arrays.hashCode(payload), priority, onSuccess, onFailure);
    }
}
