package io.ha.core.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tick arithmetic for fixed-rate and cron triggers: pure functions of the definition, the same on every leader. */
final class Ticks {
    private Ticks() {
    }

    /** The first tick strictly after {@code after}, or empty (fixed delay, or a cron that never fires again). */
    static Optional<Long> nextAfter(Trigger trigger, long after) {
        if (trigger instanceof Trigger.FixedRate rate) {
            return Optional.of(rate.nextAfter(after));
        }
        if (trigger instanceof Trigger.CronTrigger cron) {
            return cron.nextAfter(after);
        }
        return Optional.empty();
    }

    /** The latest tick at or before {@code now} (for jumping over a backlog too long to list). */
    static Optional<Long> latestAtOrBefore(Trigger trigger, long now) {
        if (trigger instanceof Trigger.FixedRate rate) {
            return now < rate.startMs() ? Optional.empty()
                    : Optional.of(rate.startMs() + (now - rate.startMs()) / rate.periodMs() * rate.periodMs());
        }
        if (trigger instanceof Trigger.CronTrigger cron) {
            return cron.lastAtOrBefore(now);
        }
        return Optional.empty();
    }

    /** Ticks in {@code (after, now]}, oldest first, at most {@code limit + 1} (more means: some were cut). */
    static List<Long> due(Trigger trigger, long after, long now, int limit) {
        List<Long> out = new ArrayList<>();
        Optional<Long> next = nextAfter(trigger, after);
        while (next.isPresent() && next.get() <= now && out.size() <= limit) {
            out.add(next.get());
            next = nextAfter(trigger, next.get());
        }
        return out;
    }
}
