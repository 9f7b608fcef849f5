package io.ha.agent.view;

import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Leader, agents and task counts read at one moment: what {@code status}, {@code agents}, {@code watch} and the web
 * console show. Not atomic across the three reads: each is current as of its own read.
 */
public record ClusterSnapshot(String cluster, String path, String zookeeper, String leader, long epoch,
                              List<AgentInfo> agents, Map<TaskState, Long> counts) {

    public static ClusterSnapshot read(HaCluster c, boolean withCounts) throws Exception {
        Optional<String> leader = c.leaderElection().currentLeader();
        long epoch = c.leaderElection().currentEpoch();
        List<AgentInfo> agents = c.membership().list();
        Map<TaskState, Long> counts = withCounts ? c.taskQueue().counts() : Map.of();
        return new ClusterSnapshot(c.clusterName(), c.clusterPath(), c.connectString(), leader.orElse(null),
                epoch, agents, counts);
    }

    public long accepting() {
        return agents.stream().filter(AgentInfo::accepting).count();
    }

    public Views.Status toView() {
        Map<String, Long> tasks = new LinkedHashMap<>();
        for (TaskState s : TaskState.values()) {
            tasks.put(s.name(), counts.getOrDefault(s, 0L));
        }
        return new Views.Status(cluster, path, zookeeper, leader, epoch, agents.size(), (int) accepting(), tasks,
                agentViews());
    }

    public List<Views.Agent> agentViews() {
        return agents.stream().map(a -> Views.Agent.of(a, leader)).toList();
    }

    /** The summary lines of {@code status} and {@code watch}. */
    public List<String> summary() {
        return List.of(
                "Cluster:  " + cluster + " (" + path + ") at " + zookeeper,
                "Leader:   " + (leader == null ? "none elected" : leader) + " (epoch " + epoch + ")",
                "Agents:   " + agents.size() + " live, " + accepting() + " accepting tasks");
    }
}
