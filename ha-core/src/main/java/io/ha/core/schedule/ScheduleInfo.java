package io.ha.core.schedule;

import java.time.Instant;

/**
 * A schedule as shown to operators: its stored record and the time of its next tick (null when it is paused, waits
 * for the previous run (fixed delay), or never fires again).
 */
public record ScheduleInfo(ScheduleRecord record, Instant nextFireTime) {
}
