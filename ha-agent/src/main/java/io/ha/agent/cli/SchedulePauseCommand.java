package io.ha.agent.cli;

import picocli.CommandLine.Command;

/** {@code ha-ctl schedule pause NAME}: the schedule stops firing until resumed; pausing a paused one is no error. */
@Command(name = "pause", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pause a schedule: no ticks fire until it is resumed.",
                "A running task is not affected; 'trigger-now' still fires it."})
final class SchedulePauseCommand extends ScheduleNameCommand {
    @Override
    protected int run(ClusterConnection connection) throws Exception {
        boolean was = existing(connection).record().enabled();
        connection.cluster().schedules().pause(name);
        return report(connection, "paused", null, "schedule " + name + (was ? " paused" : " was already paused"));
    }
}
