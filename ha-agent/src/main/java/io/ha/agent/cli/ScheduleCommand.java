package io.ha.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code ha-ctl schedule}: the group of commands that define and steer schedules; without a subcommand it prints its
 * usage as an error (exit 2), as {@code ha-ctl} alone does.
 */
@Command(name = "schedule", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Define and steer schedules: interval and cron jobs that the leader turns into tasks.",
                "List them with 'ha-ctl schedules'."},
        subcommands = {ScheduleAddCommand.class, ScheduleRemoveCommand.class, SchedulePauseCommand.class,
                ScheduleResumeCommand.class, ScheduleTriggerCommand.class, CommandLine.HelpCommand.class})
final class ScheduleCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CtlException.USAGE;
    }
}
