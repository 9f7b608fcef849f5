package io.ha.core.schedule;

import com.google.common.base.Preconditions;
import io.ha.core.task.TaskTemplate;

/**
 * A schedule as stored in {@code /schedules/<name>}: its definition and where it stands, so that restarts and leader
 * changes neither skip nor repeat a tick.
 *
 * @param lastFireTime       scheduled time (epoch ms) of the last tick handled (fired or skipped), 0 for none
 * @param lastTaskId         the task enqueued for the last fired tick, or null
 * @param firedTicks         ticks that enqueued a task
 * @param skippedTicks       ticks dropped by the misfire or overlap policy
 * @param triggerRequestedAt a pending manual trigger (epoch ms of the request), 0 for none
 */
public record ScheduleRecord(String name, Trigger trigger, TaskTemplate template, boolean enabled,
                             MisfirePolicy misfire, OverlapPolicy overlap, int maxMisfires, long createdAt,
                             long lastFireTime, String lastTaskId, long firedTicks, long skippedTicks,
                             long triggerRequestedAt) {
    public ScheduleRecord {
        Preconditions.checkNotNull(trigger, "schedule trigger");
        Preconditions.checkNotNull(template, "schedule task template");
        misfire = misfire == null ? MisfirePolicy.FIRE_ONCE : misfire;
        overlap = overlap == null ? OverlapPolicy.ALLOW : overlap;
        Preconditions.checkArgument(maxMisfires >= 1 && maxMisfires <= 10_000,
                "schedule maxMisfires must be in 1-10000, got %s", maxMisfires);
    }

    ScheduleRecord fired(long tick, String taskId, int ticks) {
        return new ScheduleRecord(name, trigger, template, enabled, misfire, overlap, maxMisfires, createdAt, tick,
                taskId, firedTicks + ticks, skippedTicks, triggerRequestedAt);
    }

    ScheduleRecord skipped(long tick, int ticks) {
        return new ScheduleRecord(name, trigger, template, enabled, misfire, overlap, maxMisfires, createdAt, tick,
                lastTaskId, firedTicks, skippedTicks + ticks, triggerRequestedAt);
    }

    ScheduleRecord withEnabled(boolean on, long now) {
        // Resuming skips the ticks of the paused time: they were refused on purpose, not missed.
        long base = on && !enabled ? Math.max(lastFireTime, now) : lastFireTime;
        return new ScheduleRecord(name, trigger, template, on, misfire, overlap, maxMisfires, createdAt, base,
                lastTaskId, firedTicks, skippedTicks, triggerRequestedAt);
    }

    ScheduleRecord withTriggerRequest(long requestedAt) {
        return new ScheduleRecord(name, trigger, template, enabled, misfire, overlap, maxMisfires, createdAt,
                lastFireTime, lastTaskId, firedTicks, skippedTicks, requestedAt);
    }

    ScheduleRecord manualFired(String taskId) {
        return new ScheduleRecord(name, trigger, template, enabled, misfire, overlap, maxMisfires, createdAt,
                lastFireTime, taskId, firedTicks + 1, skippedTicks, 0);
    }
}
