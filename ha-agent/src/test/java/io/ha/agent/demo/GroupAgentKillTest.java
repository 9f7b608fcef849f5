package io.ha.agent.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.agent.exec.ExecPayload;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.GroupState;
import io.ha.core.task.GroupStatus;
import io.ha.core.task.GroupSubmission;
import io.ha.core.task.JoinInput;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fan-in group over three real agent processes and a real ZooKeeper server process, the leader agent killed with
 * {@code kill -9} while it runs members: the join is created once, runs once to SUCCEEDED, and its input (the exec
 * join prints it back with {@code cat}) names every member SUCCEEDED.
 */
class GroupAgentKillTest {
    private static final int MEMBERS = 40;
    private final DemoFleet fleet = newFleet();
    private HaCluster observer;

    private static DemoFleet newFleet() {
        try {
            return DemoFleet.create(null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stopEverything() {
        if (observer != null) {
            observer.close();
        }
        fleet.stopAll();
        assertThat(fleet.leftovers()).as("processes left behind").isEmpty();
        fleet.deleteWorkDir();
    }

    @Test
    void joinRunsOnceWithEveryMemberAfterTheLeaderAgentIsKilled() throws Exception {
        String connect = fleet.startZooKeeper(Duration.ofSeconds(60));
        fleet.startAgents(3, connect, Duration.ofSeconds(90));
        observer = HaCluster.builder().connectString(connect).clusterName(DemoFleet.CLUSTER)
                .agentId("group-test-observer").sessionTimeout(DemoFleet.SESSION_TIMEOUT)
                .connectionTimeout(Duration.ofSeconds(5)).role(ClusterRole.OBSERVER)
                .credentials(fleet.credentials()).build().start();
        observer.membership().awaitSize(3, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(60)).until(() -> observer.leaderElection().currentLeader().isPresent());
        TaskQueue queue = observer.taskQueue();

        List<TaskSpec> members = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            members.add(exec("sleep 0.4; echo part " + i).maxAttempts(5).build());
        }
        GroupSubmission group = queue.submitGroup(members, exec("cat").build());

        // Once a few members ended, kill -9 the leader agent while it runs some (it dispatches and works).
        await().atMost(Duration.ofSeconds(60)).until(() -> queue.group(group.groupId()).ended().values().stream()
                .mapToInt(Integer::intValue).sum() >= MEMBERS / 5);
        String leader = observer.leaderElection().currentLeader().orElseThrow();
        DemoProcess victim = fleet.agents().stream().filter(a -> a.name().equals(leader)).findFirst().orElseThrow();
        victim.killTree();
        assertThat(victim.isAlive()).isFalse();

        await().atMost(Duration.ofMinutes(2))
                .until(() -> queue.group(group.groupId()).state() == GroupState.ENDED);
        GroupStatus status = queue.group(group.groupId());
        assertThat(status.ended()).containsExactly(Map.entry(TaskState.SUCCEEDED, MEMBERS));
        List<TaskRecord> joins = queue.list(TaskState.SUCCEEDED, 10_000).stream()
                .filter(r -> group.groupId().equals(r.groupId()) && r.groupIndex() < 0).toList();
        assertThat(joins).as("join records of the group").hasSize(1);
        TaskRecord join = joins.get(0);
        assertThat(join.id()).isEqualTo(status.joinId());
        assertThat(join.attempt()).as("the join ran once").isEqualTo(1);
        JoinInput input = JoinInput.decode("join output", join.result());
        assertThat(input.members()).extracting(JoinInput.Member::id)
                .containsExactlyElementsOf(group.memberIds());
        assertThat(input.members()).allMatch(JoinInput.Member::succeeded);
        assertThat(input.members().get(7).resultText()).isEqualTo("part 7\n");
        // Some member was reassigned from the killed agent: the kill did hit running work.
        assertThat(group.memberIds().stream().map(id -> get(queue, id)).filter(Optional::isPresent)
                .map(Optional::get).filter(r -> r.history().stream()
                        .anyMatch(e -> Objects.equals(e.agent(), leader) && e.state() == TaskState.RUNNING))
                .filter(r -> r.attempt() > 1)).isNotEmpty();
    }

    private static Optional<TaskRecord> get(TaskQueue queue, String id) {
        try {
            return queue.get(id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private TaskSpec.Builder exec(String script) {
        return TaskSpec.builder(ExecPayload.TYPE).payload(new ExecPayload(
                List.of("sh", "-c", script, fleet.marker()), Map.of(), null, 60_000).toJson());
    }
}
