package io.ha.agent.cli;

import picocli.CommandLine.Command;

/** {@code ha-ctl schedule rm NAME}: removes a schedule; the tasks it already enqueued are not affected. */
@Command(name = "rm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Remove a schedule. Tasks it already enqueued run on.")
final class ScheduleRemoveCommand extends ScheduleNameCommand {
    @Override
    protected int run(ClusterConnection connection) throws Exception {
        if (!connection.cluster().schedules().remove(name)) {
            throw noSuchSchedule(connection);
        }
        return report(connection, "removed", null, "schedule " + name + " removed");
    }
}
