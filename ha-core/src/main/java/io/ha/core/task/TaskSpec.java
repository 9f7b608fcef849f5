package io.ha.core.task;

import com.google.common.base.Preconditions;
import io.ha.core.Names;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What to run: an immutable description of a task, validated on construction. Build with {@link #builder(String)}.
 *
 * @param type           handler type, a name like {@code resize-image}
 * @param payload        opaque input for the handler (may be empty)
 * @param priority       0-999, higher runs first (default 100)
 * @param maxAttempts    1-1000 attempts before the task goes DEAD (default 3)
 * @param retryBackoff   delay before the second attempt; doubles per attempt up to 10 minutes (default 1 s)
 * @param notBefore      earliest start (a delayed task), or null to run as soon as possible
 * @param idempotencyKey submits with the same key return the first task's id instead of adding a task; or null
 * @param labels         labels an agent must all have to be given this task
 * @param then           follow-up tasks created, in the same transaction that records this task's success, with
 *                       its result as their {@link TaskContext#input()} (fan-out: several)
 * @param onFailure      follow-up tasks created when this task ends FAILED or DEAD, with its last error as input
 * @param timeout        longest an attempt may run: the handler is interrupted at the deadline and the attempt fails
 *                       with an error naming the timeout; or null for no limit
 * @param concurrencyKey what the cluster-wide per-key limit of this task's type counts (a customer, a tenant), or
 *                       null
 */
public record TaskSpec(String type, byte[] payload, int priority, int maxAttempts, Duration retryBackoff,
                       Instant notBefore, String idempotencyKey, Set<String> labels, List<TaskSpec> then,
                       List<TaskSpec> onFailure, Duration timeout, String concurrencyKey) {
    /** Longest accepted attempt timeout. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(7);

    public static final int DEFAULT_PRIORITY = 100;
    public static final int MAX_PRIORITY = 999;

    public TaskSpec {
        Names.validate("task type", type);
        payload = payload == null ? new byte[0] : payload.clone();
        Preconditions.checkArgument(priority >= 0 && priority <= MAX_PRIORITY,
                "task priority must be in 0-%s, got %s", MAX_PRIORITY, priority);
        Preconditions.checkArgument(maxAttempts >= 1 && maxAttempts <= 1000,
                "task maxAttempts must be in 1-1000, got %s", maxAttempts);
        retryBackoff = retryBackoff == null ? Duration.ofSeconds(1) : retryBackoff;
        Preconditions.checkArgument(!retryBackoff.isNegative(), "task retryBackoff must not be negative: %s",
                retryBackoff);
        if (idempotencyKey != null) {
            Preconditions.checkArgument(!idempotencyKey.isEmpty() && idempotencyKey.length() <= 1024,
                    "idempotency key must have 1-1024 characters, got %s", idempotencyKey.length());
        }
        labels = labels == null ? Set.of() : Set.copyOf(labels);
        then = then == null ? List.of() : List.copyOf(then);
        onFailure = onFailure == null ? List.of() : List.copyOf(onFailure);
        if (timeout != null) {
            Preconditions.checkArgument(!timeout.isNegative() && !timeout.isZero()
                    && timeout.compareTo(MAX_TIMEOUT) <= 0, "task timeout must be above 0 and at most %s, got %s",
                    MAX_TIMEOUT, timeout);
            Preconditions.checkArgument(timeout.toMillis() > 0, "task timeout must be at least 1 ms, got %s",
                    timeout);
        }
        if (concurrencyKey != null) {
            Names.validate("task concurrency key", concurrencyKey);
        }
    }

    public static Builder builder(String type) {
        return new Builder(type);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskSpec t && type.equals(t.type) && Arrays.equals(payload, t.payload)
                && priority == t.priority && maxAttempts == t.maxAttempts && retryBackoff.equals(t.retryBackoff)
                && java.util.Objects.equals(notBefore, t.notBefore)
                && java.util.Objects.equals(idempotencyKey, t.idempotencyKey) && labels.equals(t.labels)
                && then.equals(t.then) && onFailure.equals(t.onFailure)
                && java.util.Objects.equals(timeout, t.timeout)
                && java.util.Objects.equals(concurrencyKey, t.concurrencyKey);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, Arrays.hashCode(payload), priority, maxAttempts, idempotencyKey);
    }

    @Override
    public String toString() {
        return "TaskSpec[type=" + type + ", payload=" + payload.length + " bytes, priority=" + priority
                + ", maxAttempts=" + maxAttempts + ", notBefore=" + notBefore + ", key=" + idempotencyKey
                + ", labels=" + labels + (then.isEmpty() ? "" : ", then=" + then.size())
                + (onFailure.isEmpty() ? "" : ", onFailure=" + onFailure.size())
                + (timeout == null ? "" : ", timeout=" + timeout)
                + (concurrencyKey == null ? "" : ", concurrencyKey=" + concurrencyKey) + "]";
    }

    /** Builder of {@link TaskSpec}. */
    public static final class Builder {
        private final String type;
        private byte[] payload = new byte[0];
        private int priority = DEFAULT_PRIORITY;
        private int maxAttempts = 3;
        private Duration retryBackoff = Duration.ofSeconds(1);
        private Instant notBefore;
        private String idempotencyKey;
        private Set<String> labels = Set.of();
        private final List<TaskSpec> then = new ArrayList<>();
        private final List<TaskSpec> onFailure = new ArrayList<>();
        private Duration timeout;
        private String concurrencyKey;

        private Builder(String type) {
            this.type = type;
        }

        public Builder payload(byte[] bytes) {
            this.payload = bytes;
            return this;
        }

        public Builder payload(String text) {
            this.payload = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder retryBackoff(Duration backoff) {
            this.retryBackoff = backoff;
            return this;
        }

        public Builder notBefore(Instant notBefore) {
            this.notBefore = notBefore;
            return this;
        }

        public Builder delay(Duration delay) {
            this.notBefore = Instant.now().plus(delay);
            return this;
        }

        public Builder idempotencyKey(String key) {
            this.idempotencyKey = key;
            return this;
        }

        public Builder labels(Set<String> labels) {
            this.labels = labels;
            return this;
        }

        /** Adds follow-ups run after this task succeeds (each gets this task's result as input). */
        public Builder then(TaskSpec... followUps) {
            then.addAll(List.of(followUps));
            return this;
        }

        /** Adds follow-ups run when this task ends FAILED or DEAD (each gets the last error as input). */
        public Builder onFailure(TaskSpec... followUps) {
            onFailure.addAll(List.of(followUps));
            return this;
        }

        /** Longest an attempt may run before its handler is interrupted and the attempt fails (default: none). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** What the per-key limit of this task's type counts: tasks with the same key share the limit. */
        public Builder concurrencyKey(String key) {
            this.concurrencyKey = key;
            return this;
        }

        public TaskSpec build() {
            return new TaskSpec(type, payload, priority, maxAttempts, retryBackoff, notBefore, idempotencyKey, labels,
                    then, onFailure, timeout, concurrencyKey);
        }
    }
}
