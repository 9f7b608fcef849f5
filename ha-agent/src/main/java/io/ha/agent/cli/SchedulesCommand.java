package io.ha.agent.cli;

import io.ha.agent.view.ScheduleViews;
import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
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
            views.add(ScheduleViews.read(c, info));
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
                    ScheduleViews.lastFireText(s, now), ScheduleViews.nextFireText(s, now));
        }
        t.print(out());
        return CtlException.OK;
    }
}
