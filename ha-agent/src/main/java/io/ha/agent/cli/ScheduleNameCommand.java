package io.ha.agent.cli;

import io.ha.agent.view.ScheduleViews;
import io.ha.agent.view.Views;
import io.ha.core.Names;
import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.ScheduleInfo;
import java.util.Optional;
import picocli.CommandLine.Parameters;

/**
 * What the {@code schedule} commands that act on an existing schedule share: its name, checked before connecting,
 * and a lookup that fails naming the schedule and the cluster.
 */
abstract class ScheduleNameCommand extends CtlCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The schedule's name (see 'ha-ctl schedules').")
    String name;

    @Override
    protected void validate() {
        validateName(name);
    }

    /** @throws CtlException USAGE naming the problem with a schedule name, before any connection is made */
    static void validateName(String name) {
        try {
            Names.validate("schedule name", name);
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    /** @throws CtlException FAILED when there is no such schedule */
    ScheduleInfo existing(ClusterConnection connection) throws Exception {
        return connection.cluster().schedules().get(name).orElseThrow(() -> noSuchSchedule(connection));
    }

    CtlException noSuchSchedule(ClusterConnection connection) {
        return CtlException.failed("no schedule named '" + name + "' in " + connection.describe()
                + " (see 'ha-ctl schedules')");
    }

    /** Prints the outcome: the JSON view, or {@code line} for people. */
    int report(ClusterConnection connection, String action, String taskId, String line) throws Exception {
        if (json()) {
            HaCluster c = connection.cluster();
            Optional<ScheduleInfo> info = c.schedules().get(name);
            Views.Schedule view = info.isPresent() ? ScheduleViews.read(c, info.get()) : null;
            printJson(new Views.ScheduleChange(name, action, taskId, view));
        } else {
            out().println(line);
        }
        return CtlException.OK;
    }
}
