package io.ha.agent.cli;

import io.ha.agent.view.LimitViews;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code ha-ctl limits}: every limited task type with its limits and the tasks counting against them now (read from
 * the assignments, as the leader counts them, without the moves it has in flight).
 */
@Command(name = "limits", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the cluster-wide limits per task type with their usage: tasks assigned or running "
                + "(of the max running), the per-key limit and the busiest key, the rate and burst.",
                "Set and remove them with 'ha-ctl limit'."})
final class LimitsCommand extends CtlCommand {
    @Override
    protected int run(ClusterConnection connection) throws Exception {
        List<LimitViews.Limit> limits = LimitViews.of(connection.cluster().limits().usage());
        if (json()) {
            printJson(limits);
            return CtlException.OK;
        }
        if (limits.isEmpty()) {
            warn("no limits in " + connection.describe());
            return CtlException.OK;
        }
        LimitTable.table(limits).print(out());
        return CtlException.OK;
    }
}
