package io.ha.agent.cli;

import io.ha.agent.view.ClusterSnapshot;
import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskState;
import java.util.Map;

/** How {@code status}, {@code agents} and {@code watch} print a {@link ClusterSnapshot} as tables. */
final class SnapshotTables {
    private SnapshotTables() {
    }

    /**
     * The agent table. {@code busy} maps an agent id to its in-flight task count, or is null to leave the column
     * out.
     */
    static Table agentTable(ClusterSnapshot s, long now, Map<String, Integer> busy) {
        Table t = busy == null
                ? new Table("AGENT", "ROLE", "STATE", "HOST", "PID", "CAPACITY", "TYPES", "LABELS", "VERSION", "UPTIME")
                : new Table("AGENT", "ROLE", "STATE", "HOST", "BUSY", "CAPACITY", "TYPES", "UPTIME");
        t.limit(6, 40);
        for (AgentInfo a : s.agents()) {
            String role = a.id().equals(s.leader()) ? "leader" : "member";
            String state = Views.Agent.stateOf(a);
            if (busy == null) {
                t.row(a.id(), role, state, a.host(), a.pid(), a.capacity(), Text.list(a.types()),
                        Text.list(a.labels()), Text.orDash(a.version()), Text.age(a.startedAt(), now));
            } else {
                t.row(a.id(), role, state, a.host(), busy.getOrDefault(a.id(), 0), a.capacity(),
                        Text.list(a.types()), Text.age(a.startedAt(), now));
            }
        }
        return t;
    }

    /** One header row of states, one row of counts. */
    static Table countTable(ClusterSnapshot s) {
        TaskState[] states = TaskState.values();
        String[] header = new String[states.length];
        Object[] row = new Object[states.length];
        for (int i = 0; i < states.length; i++) {
            header[i] = states[i].name();
            row[i] = s.counts().getOrDefault(states[i], 0L);
        }
        return new Table(header).row(row);
    }
}
