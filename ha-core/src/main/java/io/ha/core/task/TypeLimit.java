package io.ha.core.task;

import io.ha.core.Names;

/**
 * The cluster-wide limits of one task type, enforced by the leader's dispatcher (see {@link Limits}): an immutable
 * value, validated on construction, with every limit optional (null: no limit of that kind). Build with
 * {@link #of(String)}.
 *
 * @param type       the task type limited
 * @param maxRunning at most this many tasks of the type assigned or running at once, across all agents, or null
 * @param perKey     at most this many tasks of the type with the same {@link TaskSpec#concurrencyKey()} at once
 *                   (1: a cluster-wide mutex per key), or null; tasks without a key are not counted by it
 * @param rate       at most this many starts (assignments) per second, smoothed by a token bucket, or null
 * @param burst      the bucket's size: starts allowed at once after a quiet spell (default 1 with a rate)
 */
public record TypeLimit(String type, Integer maxRunning, Integer perKey, Double rate, Integer burst) {
    /**
     * @throws IllegalArgumentException naming the type, the field and the value when a limit is out of range (a
     *                                  count below 1, a rate not above 0, a burst without a rate) or none is set
     */
    public TypeLimit {
        Names.validate("task type", type);
        if (maxRunning != null && maxRunning < 1) {
            throw new IllegalArgumentException("max running of type '" + type + "' must be at least 1, got "
                    + maxRunning);
        }
        if (perKey != null && perKey < 1) {
            throw new IllegalArgumentException("per-key limit of type '" + type + "' must be at least 1, got "
                    + perKey);
        }
        if (rate != null && !(rate > 0 && Double.isFinite(rate))) {
            throw new IllegalArgumentException("rate of type '" + type + "' must be above 0 per second, got " + rate);
        }
        if (burst != null && rate == null) {
            throw new IllegalArgumentException("burst of type '" + type + "' needs a rate");
        }
        if (burst != null && burst < 1) {
            throw new IllegalArgumentException("burst of type '" + type + "' must be at least 1, got " + burst);
        }
        if (rate != null && burst == null) {
            burst = 1;
        }
        if (maxRunning == null && perKey == null && rate == null) {
            throw new IllegalArgumentException("limit of type '" + type + "' sets nothing: give a max running, a "
                    + "per-key limit or a rate");
        }
    }

    /** A builder of the limits of {@code type}. */
    public static Builder of(String type) {
        return new Builder(type);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(type).append(':');
        if (maxRunning != null) {
            out.append(" max-running=").append(maxRunning);
        }
        if (perKey != null) {
            out.append(" per-key=").append(perKey);
        }
        if (rate != null) {
            out.append(" rate=").append(rate).append("/s burst=").append(burst);
        }
        return out.toString();
    }

    /** Collects the limits of one type; {@link #build} validates them. */
    public static final class Builder {
        private final String type;
        private Integer maxRunning;
        private Integer perKey;
        private Double rate;
        private Integer burst;

        private Builder(String type) {
            this.type = type;
        }

        public Builder maxRunning(int max) {
            this.maxRunning = max;
            return this;
        }

        public Builder perKey(int max) {
            this.perKey = max;
            return this;
        }

        /** At most {@code perSecond} starts per second, with up to {@code burstSize} at once. */
        public Builder rate(double perSecond, int burstSize) {
            this.rate = perSecond;
            this.burst = burstSize;
            return this;
        }

        public TypeLimit build() {
            return new TypeLimit(type, maxRunning, perKey, rate, burst);
        }
    }
}
