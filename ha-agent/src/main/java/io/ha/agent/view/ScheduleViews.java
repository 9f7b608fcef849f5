package io.ha.agent.view;

import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.ScheduleInfo;
import io.ha.core.schedule.ScheduleRecord;
import io.ha.core.task.TaskRecord;
import java.time.Duration;
import java.time.Instant;

/**
 * A schedule as {@code schedules}, the {@code schedule} commands and the web console read and describe it. Each read
 * is current as of itself: a tick may fire between reading a schedule and its last task.
 */
public final class ScheduleViews {
    private ScheduleViews() {
    }

    /** The view of one schedule, with the state of the task of its last fire (one more read when there is one). */
    public static Views.Schedule read(HaCluster c, ScheduleInfo info) throws Exception {
        ScheduleRecord r = info.record();
        TaskRecord last = r.lastTaskId() == null ? null : c.taskQueue().get(r.lastTaskId()).orElse(null);
        return Views.Schedule.of(info, last);
    }

    public static String lastFireText(Views.Schedule s, long now) {
        if (s.lastTaskId() == null) {
            return "-";
        }
        if (s.lastFire() == null) {
            return "task " + s.lastTaskId() + " (pruned)";
        }
        return Text.humanTimeAndAge(Instant.parse(s.lastFire()).toEpochMilli(), now) + " "
                + s.lastTaskState();
    }

    /** The next fire time, or why there is none. */
    public static String nextFireText(Views.Schedule s, long now) {
        if (s.triggerPending()) {
            return "now (triggered by hand)";
        }
        if (!s.enabled()) {
            return "paused";
        }
        if (s.nextFireTime() != null) {
            return Text.humanTimeAndAge(Instant.parse(s.nextFireTime()).toEpochMilli(), now);
        }
        if ("fixed-delay".equals(s.kind())) {
            return Text.duration(Duration.ofMillis(s.intervalMs())) + " after the last run ends";
        }
        return "never";
    }
}
