package io.ha.agent.cli;

import picocli.CommandLine.Command;

/** {@code ha-ctl status}: leader and epoch, live agents, task counts per state. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show the leader, the live agents and the number of tasks in each state.")
final class StatusCommand extends CtlCommand {
    @Override
    protected int run(ClusterConnection connection) throws Exception {
        ClusterSnapshot snapshot = ClusterSnapshot.read(connection.cluster(), true);
        if (json()) {
            printJson(snapshot.toView());
            return CtlException.OK;
        }
        snapshot.summary().forEach(out()::println);
        if (!snapshot.agents().isEmpty()) {
            out().println();
            snapshot.agentTable(System.currentTimeMillis(), null).print(out());
        }
        out().println();
        snapshot.countTable().print(out());
        return CtlException.OK;
    }
}
