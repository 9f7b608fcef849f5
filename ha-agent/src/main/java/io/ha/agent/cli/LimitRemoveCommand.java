package io.ha.agent.cli;

import io.ha.core.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ha-ctl limit rm TYPE}: lifts every limit of the type; fails (exit 1) when it had none. */
@Command(name = "rm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Remove the limits of a task type: the leader places its tasks freely from then on.")
final class LimitRemoveCommand extends CtlCommand {
    @Parameters(index = "0", paramLabel = "TYPE", description = "The task type.")
    String type;

    @Override
    protected void validate() {
        try {
            Names.validate("task type", type);
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        if (!connection.cluster().limits().remove(type)) {
            throw CtlException.failed("type '" + type + "' has no limits in " + connection.describe()
                    + " (see 'ha-ctl limits')");
        }
        if (json()) {
            printJson(java.util.Map.of("type", type, "removed", true));
        } else {
            out().println("limits of type " + type + " removed");
        }
        return CtlException.OK;
    }
}
