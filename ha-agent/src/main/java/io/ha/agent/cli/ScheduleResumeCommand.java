package io.ha.agent.cli;

import io.ha.agent.view.ScheduleViews;
import io.ha.agent.view.Views;
import io.ha.core.cluster.HaCluster;
import picocli.CommandLine.Command;

/**
 * {@code ha-ctl schedule resume NAME}: the schedule fires again from its next tick; ticks that fell in the pause
 * are not fired (they were refused on purpose, not missed).
 */
@Command(name = "resume", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Resume a paused schedule from its next tick.",
                "Ticks that fell in the pause are not fired."})
final class ScheduleResumeCommand extends ScheduleNameCommand {
    @Override
    protected int run(ClusterConnection connection) throws Exception {
        HaCluster c = connection.cluster();
        boolean was = existing(connection).record().enabled();
        c.schedules().resume(name);
        Views.Schedule now = ScheduleViews.read(c, c.schedules().get(name).orElseThrow(
                () -> noSuchSchedule(connection)));
        return report(connection, "resumed", null, "schedule " + name + (was ? " was not paused" : " resumed")
                + "; next fire: " + ScheduleViews.nextFireText(now, System.currentTimeMillis()));
    }
}
