package io.ha.agent.cli;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.ha.agent.view.ClusterSnapshot;
import io.ha.agent.view.LimitViews;
import io.ha.agent.view.Views;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code ha-ctl status}: leader and epoch, live agents, task counts per state, limits with their usage. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show the leader, the live agents and the number of tasks in each state.")
final class StatusCommand extends CtlCommand {
    @Override
    protected int run(ClusterConnection connection) throws Exception {
        ClusterSnapshot snapshot = ClusterSnapshot.read(connection.cluster(), true);
        List<LimitViews.Limit> limits = LimitViews.of(connection.cluster().limits().usage());
        if (json()) {
            printJson(new StatusWithLimits(snapshot.toView(), limits));
            return CtlException.OK;
        }
        snapshot.summary().forEach(out()::println);
        if (!snapshot.agents().isEmpty()) {
            out().println();
            SnapshotTables.agentTable(snapshot, System.currentTimeMillis(), null).print(out());
        }
        out().println();
        SnapshotTables.countTable(snapshot).print(out());
        if (!limits.isEmpty()) {
            out().println();
            LimitTable.table(limits).print(out());
        }
        return CtlException.OK;
    }

    /** The status view with the limits after its fields. */
    record StatusWithLimits(@JsonUnwrapped Views.Status status, List<LimitViews.Limit> limits) {
    }
}
