package io.ha.core.task.dispatch;

import io.ha.core.task.TypeLimit;
import java.util.HashMap;
import java.util.Map;

/**
 * The leader's cluster-wide limits as a pure decision: counts of the tasks in flight per type and per (type, key),
 * a token bucket per rate-limited type, and whether one more start is allowed. No I/O, no clock: the caller passes
 * the time. The {@link DispatchView} keeps the counts (a task counts from its move until its assignment is gone);
 * the {@link AssignmentPlanner} asks a {@link Round} before each placement.
 *
 * <p>Guarantees: a round never allows, for a type, more starts than its max running minus the tasks in flight, nor
 * for a key more than its per-key limit minus that key's tasks, nor more than the whole tokens in its bucket; a
 * bucket holds at most its burst and refills at the rate. A bucket starts EMPTY (in a new term, or when a rate is
 * first set), so a new leader never grants a second burst after failover. Not guaranteed: anything about tasks the
 * counts do not know of (see {@link io.ha.core.task.Limits}).
 */
final class LimitGate {
    /** Why a start is refused, or that it is allowed. */
    enum Verdict { ALLOWED, MAX_RUNNING, PER_KEY, RATE }

    private Map<String, TypeLimit> limits = Map.of();
    private final Map<String, Integer> running = new HashMap<>();
    private final Map<String, Map<String, Integer>> runningByKey = new HashMap<>();
    private final Map<String, TokenBucket> buckets = new HashMap<>();

    /** Applies a new set of limits; buckets of rates kept keep their tokens (at most the new burst). */
    void setLimits(Map<String, TypeLimit> next, long now) {
        limits = Map.copyOf(next);
        buckets.keySet().removeIf(type -> limits.get(type) == null || limits.get(type).rate() == null);
        for (TypeLimit limit : limits.values()) {
            if (limit.rate() != null) {
                TokenBucket bucket = buckets.get(limit.type());
                buckets.put(limit.type(), bucket == null ? new TokenBucket(limit.rate(), limit.burst(), now)
                        : bucket.resized(limit.rate(), limit.burst(), now));
            }
        }
    }

    boolean limited() {
        return !limits.isEmpty();
    }

    TypeLimit limitOf(String type) {
        return type == null ? null : limits.get(type);
    }

    /** A task now in flight (listed at a reload, or heard of): counts, takes no token. */
    void counted(Placement p) {
        if (p.type() == null) {
            return;
        }
        running.merge(p.type(), 1, Integer::sum);
        if (p.key() != null) {
            runningByKey.computeIfAbsent(p.type(), t -> new HashMap<>()).merge(p.key(), 1, Integer::sum);
        }
    }

    /** A task this leader starts (moves): counts, and takes a token of a rate-limited type. */
    void started(Placement p, long now) {
        counted(p);
        TokenBucket bucket = p.type() == null ? null : buckets.get(p.type());
        if (bucket != null) {
            bucket.take(now);
        }
    }

    /** A task is no longer in flight (its assignment is gone, or its move was refused). */
    void ended(Placement p) {
        if (p.type() == null) {
            return;
        }
        running.computeIfPresent(p.type(), (t, n) -> n > 1 ? n - 1 : null);
        if (p.key() != null) {
            Map<String, Integer> keys = runningByKey.get(p.type());
            if (keys != null) {
                keys.computeIfPresent(p.key(), (k, n) -> n > 1 ? n - 1 : null);
                if (keys.isEmpty()) {
                    runningByKey.remove(p.type());
                }
            }
        }
    }

    void clearCounts() {
        running.clear();
        runningByKey.clear();
    }

    int running(String type) {
        return running.getOrDefault(type, 0);
    }

    int running(String type, String key) {
        return runningByKey.getOrDefault(type, Map.of()).getOrDefault(key, 0);
    }

    /** A new round of decisions at {@code now}: what it allows is tentative until the moves are {@link #started}. */
    Round round(long now) {
        return new Round(now);
    }

    /**
     * One assignment round's tentative starts on top of the gate's counts: {@link #tryStart} allows and counts a
     * start, or refuses it with the reason. Also remembers when the earliest token refused for a rate is due.
     */
    final class Round {
        private final long now;
        private final Map<String, Integer> taken = new HashMap<>();
        private final Map<String, Map<String, Integer>> takenByKey = new HashMap<>();
        private long nextTokenIn = -1;

        private Round(long now) {
            this.now = now;
        }

        Verdict tryStart(Placement p) {
            TypeLimit limit = limitOf(p.type());
            if (limit == null) {
                return Verdict.ALLOWED;
            }
            int alreadyTaken = taken.getOrDefault(p.type(), 0);
            if (limit.maxRunning() != null && running(p.type()) + alreadyTaken >= limit.maxRunning()) {
                return Verdict.MAX_RUNNING;
            }
            int keyTaken = p.key() == null ? 0
                    : takenByKey.getOrDefault(p.type(), Map.of()).getOrDefault(p.key(), 0);
            if (limit.perKey() != null && p.key() != null && running(p.type(), p.key()) + keyTaken >= limit.perKey()) {
                return Verdict.PER_KEY;
            }
            TokenBucket bucket = buckets.get(p.type());
            if (bucket != null && bucket.whole(now) <= alreadyTaken) {
                long wait = bucket.millisUntil(alreadyTaken + 1, now);
                nextTokenIn = nextTokenIn < 0 ? wait : Math.min(nextTokenIn, wait);
                return Verdict.RATE;
            }
            taken.merge(p.type(), 1, Integer::sum);
            if (p.key() != null) {
                takenByKey.computeIfAbsent(p.type(), t -> new HashMap<>()).merge(p.key(), 1, Integer::sum);
            }
            return Verdict.ALLOWED;
        }

        /** Millis until a start refused for a rate in this round may be allowed, or -1 when none was. */
        long millisUntilNextToken() {
            return nextTokenIn;
        }
    }

    /** Tokens refilled at {@code rate} per second up to {@code burst}; starts empty. */
    static final class TokenBucket {
        /** Rounding slack, so a bucket refilled to 0.9999999 after the computed wait counts as holding a token. */
        private static final double EPSILON = 1e-9;
        private final double rate;
        private final int burst;
        private double tokens;
        private long last;

        TokenBucket(double rate, int burst, long now) {
            this(rate, burst, 0, now);
        }

        private TokenBucket(double rate, int burst, double tokens, long now) {
            this.rate = rate;
            this.burst = burst;
            this.tokens = Math.min(burst, tokens);
            this.last = now;
        }

        TokenBucket resized(double newRate, int newBurst, long now) {
            refill(now);
            return new TokenBucket(newRate, newBurst, tokens, now);
        }

        private void refill(long now) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * rate / 1000.0);
                last = now;
            }
        }

        /** Whole tokens held at {@code now}. */
        int whole(long now) {
            refill(now);
            return (int) Math.floor(tokens + EPSILON);
        }

        void take(long now) {
            refill(now);
            tokens -= 1;
        }

        /** Millis until the bucket holds {@code count} whole tokens (0 when it does). */
        long millisUntil(int count, long now) {
            refill(now);
            double missing = count - tokens - EPSILON;
            return missing <= 0 ? 0 : Math.max(1, (long) Math.ceil(missing * 1000.0 / rate));
        }
    }
}
