package io.ha.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code ha-ctl limit}: the group of commands that set and remove a task type's cluster-wide limits; without a
 * subcommand it prints its usage as an error (exit 2).
 */
@Command(name = "limit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Set or remove the cluster-wide limits of a task type, enforced by the leader.",
                "List them with 'ha-ctl limits'."},
        subcommands = {LimitSetCommand.class, LimitRemoveCommand.class, CommandLine.HelpCommand.class})
final class LimitCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CtlException.USAGE;
    }
}
