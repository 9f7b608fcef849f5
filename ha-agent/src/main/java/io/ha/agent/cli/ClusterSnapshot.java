package io.ha.agent.cli;

import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Leader, agents and task counts read at one moment, with the renderings {@code status}, {@code agents} and
 * {@code watch} share. Not atomic across the three reads: each is current as of its own read.
 */
record ClusterSnapshot(String cluster, String path, String zookeeper, String leader, long epoch,
                       List<AgentInfo> agents, Map<TaskState, Long> counts) {

    static ClusterSnapshot read(HaCluster c, boolean withCounts) throws Exception {
        Optional<String> leader = c.leaderElection().currentLeader();
        long epoch = c.leaderElection().currentEpoch();
        List<AgentInfo> agents = c.membership().list();
        Map<TaskState, Long> counts = withCounts ? c.taskQueue().counts() : Map.of();
        return new ClusterSnapshot(c.clusterName(), c.clusterPath(), c.connectString(), leader.orElse(null),
                epoch, agents, counts);
    }

    long accepting() {
        return agents.stream().filter(AgentInfo::accepting).count();
    }

    Views.Status toView() {
        Map<String, Long> tasks = new LinkedHashMap<>();
        for (TaskState s : TaskState.values()) {
            tasks.put(s.name(), counts.getOrDefault(s, 0L));
        }
        return new Views.Status(cluster, path, zookeeper, leader, epoch, agents.size(), (int) accepting(), tasks,
                agentViews());
    }

    List<Views.Agent> agentViews() {
        return agents.stream().map(a -> Views.Agent.of(a, leader)).toList();
    }

    /** The summary lines of {@code status} and {@code watch}. */
    List<String> summary() {
        return List.of(
                "Cluster:  " + cluster + " (" + path + ") at " + zookeeper,
                "Leader:   " + (leader == null ? "none elected" : leader) + " (epoch " + epoch + ")",
                "Agents:   " + agents.size() + " live, " + accepting() + " accepting tasks");
    }

    /**
     * The agent table. {@code busy} maps an agent id to its in-flight task count, or is null to leave the column
     * out.
     */
    Table agentTable(long now, Map<String, Integer> busy) {
        Table t = busy == null
                ? new Table("AGENT", "ROLE", "STATE", "HOST", "PID", "CAPACITY", "TYPES", "LABELS", "VERSION", "UPTIME")
                : new Table("AGENT", "ROLE", "STATE", "HOST", "BUSY", "CAPACITY", "TYPES", "UPTIME");
        t.limit(6, 40);
        for (AgentInfo a : agents) {
            String role = a.id().equals(leader) ? "leader" : "member";
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
    Table countTable() {
        TaskState[] states = TaskState.values();
        String[] header = new String[states.length];
        Object[] row = new Object[states.length];
        for (int i = 0; i < states.length; i++) {
            header[i] = states[i].name();
            row[i] = counts.getOrDefault(states[i], 0L);
        }
        return new Table(header).row(row);
    }
}
