package io.ha.samples.intervalpipeline;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Reads the tick out of a scheduled task's idempotency key. The scheduler keys the task of each tick
 * {@code schedule:<name>:<scheduled epoch ms>} (see {@code io.ha.core.schedule.Scheduler}); a run fired by hand has
 * {@code :manual} appended and is no tick.
 *
 * <p>Guarantee: a key of any other shape yields empty, never a wrong time. Not guaranteed: that the key format stays
 * the same across ha-core versions; it is documented, not an API type.
 */
final class TickKeys {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private TickKeys() {
    }

    /** The scheduled time (epoch ms) of the tick the key belongs to, or empty when it is not a tick's key. */
    static Optional<Long> tickTime(String key) {
        if (key == null || !key.startsWith("schedule:")) {
            return Optional.empty();
        }
        String last = key.substring(key.lastIndexOf(':') + 1);
        try {
            return Optional.of(Long.parseLong(last));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The time of day of {@code epochMillis} on this machine's clock, to the millisecond. */
    static String clock(long epochMillis) {
        return CLOCK.format(Instant.ofEpochMilli(epochMillis));
    }
}
