package io.ha.agent.cli;

import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
import io.ha.core.Names;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl drain AGENT_ID}: asks a live agent to stop taking tasks (its running tasks finish within the agent's
 * drain timeout, the rest go back to pending) and waits until the agent took the command and shows it no longer
 * accepts tasks. The agent stays up and registered.
 */
@Command(name = "drain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Tell an agent to stop taking tasks, and wait until it has.",
                "Running tasks finish within the agent's drain timeout; the rest go back to pending."})
final class DrainCommand extends CtlCommand {
    private static final long POLL_MS = 50;

    @Parameters(paramLabel = "AGENT_ID", description = "The agent's id (see 'ha-ctl agents').")
    String agentId;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long to wait for the agent (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    protected void validate() {
        if (timeout.isZero()) {
            throw CtlException.usage("--timeout must be positive");
        }
        try {
            Names.validate("agent id", agentId);
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        HaCluster c = connection.cluster();
        long deadline = System.nanoTime() + timeout.toNanos();
        c.agentControl().request(agentId, "drain");
        if (!c.agentControl().awaitHandled(agentId, timeout)) {
            throw CtlException.failed("agent '" + agentId + "' did not take the drain command within "
                    + Text.duration(timeout) + "; the command stays queued for it (is it an ha-agent daemon "
                    + "listening for commands?)");
        }
        // Taking the command and publishing "not accepting" are two writes of the agent; the second may still be on
        // its way to this process's view of the membership.
        Optional<AgentInfo> info = c.membership().get(agentId);
        while (info.isPresent() && info.get().accepting() && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MS);
            info = c.membership().get(agentId);
        }
        int inFlight = inFlight(c);
        Boolean accepting = info.map(AgentInfo::accepting).orElse(null);
        if (json()) {
            printJson(new Views.Drain(agentId, true, accepting, inFlight));
        }
        if (Boolean.TRUE.equals(accepting)) {
            warn("agent '" + agentId + "' took the drain command but still accepts tasks after "
                    + Text.duration(timeout));
            return CtlException.FAILED;
        }
        if (!json()) {
            out().println(info.isEmpty() ? "agent " + agentId + " took the drain command and has left the cluster"
                    : "agent " + agentId + " is draining: it takes no new tasks; " + inFlight
                    + " task(s) in flight finish or go back to pending");
        }
        return CtlException.OK;
    }

    private int inFlight(HaCluster c) throws Exception {
        int n = 0;
        for (TaskState s : new TaskState[] {TaskState.ASSIGNED, TaskState.RUNNING}) {
            for (TaskRecord r : c.taskQueue().list(s, TasksCommand.MAX_LIMIT)) {
                if (agentId.equals(r.agent())) {
                    n++;
                }
            }
        }
        return n;
    }
}
