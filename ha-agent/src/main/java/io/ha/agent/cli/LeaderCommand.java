package io.ha.agent.cli;

import io.ha.agent.view.Views;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code ha-ctl leader}: who leads now and the current epoch; exit 1 when no leader is elected. */
@Command(name = "leader", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show the current leader and leader epoch. Exits 1 when no leader is elected.")
final class LeaderCommand extends CtlCommand {
    @Override
    protected int run(ClusterConnection connection) throws Exception {
        HaCluster c = connection.cluster();
        Optional<String> leader = c.leaderElection().currentLeader();
        long epoch = c.leaderElection().currentEpoch();
        Optional<AgentInfo> info = leader.flatMap(c.membership()::get);
        if (json()) {
            printJson(new Views.Leader(leader.orElse(null), epoch, info.map(AgentInfo::host).orElse(null),
                    info.map(AgentInfo::pid).orElse(null)));
        }
        if (leader.isEmpty()) {
            warn("no leader is elected in " + connection.describe() + " (" + c.membership().size()
                    + " agent(s) alive; last epoch " + epoch + ")");
            return CtlException.FAILED;
        }
        if (!json()) {
            out().println("Leader:  " + leader.get());
            out().println("Epoch:   " + epoch);
            info.ifPresent(a -> out().println("Host:    " + a.host() + " (pid " + a.pid() + ")"));
        }
        return CtlException.OK;
    }
}
