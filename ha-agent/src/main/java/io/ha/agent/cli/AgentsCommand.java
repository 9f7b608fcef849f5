package io.ha.agent.cli;

import io.ha.agent.view.ClusterSnapshot;
import picocli.CommandLine.Command;

/** {@code ha-ctl agents}: the live agents, sorted by id. */
@Command(name = "agents", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List the live agents: role, whether they accept tasks, host, capacity, task types.")
final class AgentsCommand extends CtlCommand {
    @Override
    protected int run(ClusterConnection connection) throws Exception {
        ClusterSnapshot snapshot = ClusterSnapshot.read(connection.cluster(), false);
        if (json()) {
            printJson(snapshot.agentViews());
        } else if (snapshot.agents().isEmpty()) {
            warn("no agents are alive in " + connection.describe());
        } else {
            SnapshotTables.agentTable(snapshot, System.currentTimeMillis(), null).print(out());
        }
        return CtlException.OK;
    }
}
