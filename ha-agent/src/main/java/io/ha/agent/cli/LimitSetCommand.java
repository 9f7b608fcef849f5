package io.ha.agent.cli;

import io.ha.agent.view.LimitViews;
import io.ha.core.task.TypeLimit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl limit set TYPE [--max-running N] [--per-key N] [--rate R/s [--burst B]]}: creates or replaces the
 * type's limits (those not given are lifted). Values are checked before connecting; a refused value changes nothing.
 */
@Command(name = "set", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Set the cluster-wide limits of a task type, replacing any it had (a limit not given is "
                + "lifted). The leader applies them to its next assignments; running tasks are not stopped."})
final class LimitSetCommand extends CtlCommand {
    @Parameters(index = "0", paramLabel = "TYPE", description = "The task type.")
    String type;

    @Option(names = "--max-running", paramLabel = "N",
            description = "At most N tasks of the type assigned or running at once, across all agents.")
    Integer maxRunning;

    @Option(names = "--per-key", paramLabel = "N",
            description = "At most N tasks of the type with the same concurrency key at once (1: one per key).")
    Integer perKey;

    @Option(names = "--rate", paramLabel = "R/s", description = "At most R starts per second (e.g. 5/s, 0.5).")
    String rate;

    @Option(names = "--burst", paramLabel = "B", description = "Starts allowed at once after a quiet spell "
            + "(with --rate; default 1).")
    Integer burst;

    private TypeLimit limit;

    @Override
    protected void validate() {
        try {
            limit = new TypeLimit(type, maxRunning, perKey, rate == null ? null : parseRate(rate), burst);
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    /** {@code 5}, {@code 5/s} or {@code 0.5/s}. @throws CtlException USAGE naming the value */
    static double parseRate(String text) {
        String number = text.endsWith("/s") ? text.substring(0, text.length() - 2) : text;
        try {
            return Double.parseDouble(number.trim());
        } catch (NumberFormatException e) {
            throw CtlException.usage("rate '" + text + "' is not a number of starts per second (e.g. 5/s or 0.5)");
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        connection.cluster().limits().set(limit);
        if (json()) {
            printJson(LimitViews.Limit.of(limit));
        } else {
            out().println("limits of type " + limit);
        }
        return CtlException.OK;
    }
}
