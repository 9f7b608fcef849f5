package io.ha.agent.cli;

import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.ScheduleInfo;
import io.ha.core.schedule.ScheduleRecord;
import io.ha.core.task.TaskRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code ha-ctl schedules}: every schedule of the cluster with its trigger, zone, state, policies, last and next
 * fire. Each read is current as of itself: a tick may fire between reading a schedule and its last task.
 */
@Command(name = "schedules", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List schedules: trigger, zone, enabled or paused, misfire and overlap policy, task type, "
                + "last fire (and the state of its task) and next fire time.",
                "Define and steer them with 'ha-ctl schedule'."})
final class SchedulesCommand extends CtlCommand {
    @Override
    protected int run(ClusterConnection connection) throws Exception {
        HaCluster c = connection.cluster();
        List<Views.Schedule> views = new ArrayList<>();
        for (ScheduleInfo info : c.schedules().list()) {
            views.add(view(c, info));
        }
        if (json()) {
            printJson(views);
            return CtlException.OK;
        }
        if (views.isEmpty()) {
            warn("no schedules in " + connection.describe());
            return CtlException.OK;
        }
        long now = System.currentTimeMillis();
        Table t = new Table("NAME", "TRIGGER", "ZONE", "STATE", "MISFIRE", "OVERLAP", "TYPE", "LAST FIRE",
                "NEXT FIRE").limit(1, 40);
        for (Views.Schedule s : views) {
            t.row(s.name(), s.trigger(), Text.orDash(s.zone()), s.state(), s.misfire(), s.overlap(), s.taskType(),
                    lastFireText(s, now), nextFireText(s, now));
        }
        t.print(out());
        return CtlException.OK;
    }

    /** The view of one schedule, with the state of the task of its last fire (one more read when there is one). */
    static Views.Schedule view(HaCluster c, ScheduleInfo info) throws Exception {
        ScheduleRecord r = info.record();
        TaskRecord last = r.lastTaskId() == null ? null : c.taskQueue().get(r.lastTaskId()).orElse(null);
        return Views.Schedule.of(info, last);
    }

    static String lastFireText(Views.Schedule s, long now) {
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
    static String nextFireText(Views.Schedule s, long now) {
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
