package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An agent process killed with SIGKILL: its tasks complete on another agent process. */
@Timeout(90)
class AgentFailoverTest extends AgentTestBase {
    @Test
    void tasksOfAKilledAgentCompleteOnAnotherAgent() throws Exception {
        AgentProcess a = startAgent("fo-a", Map.of("HA_EXEC_CONCURRENCY", "2"));
        AgentProcess b = startAgent("fo-b", Map.of("HA_EXEC_CONCURRENCY", "2"));
        a.awaitReady(READY);
        b.awaitReady(READY);
        HaCluster client = observer();
        TaskQueue queue = client.taskQueue();
        await().atMost(WAIT).until(() -> client.membership().list().stream().filter(AgentInfo::accepting).count() == 2);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(queue.submit(exec("sleep 3; echo done-" + i, 0)));
        }
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> running(queue, id)));
        String victimId = queue.get(ids.get(0)).orElseThrow().agent();
        AgentProcess victim = victimId.equals("fo-a") ? a : b;
        AgentProcess survivor = victim == a ? b : a;
        List<String> victimTasks = ids.stream().filter(id -> victimId.equals(agentOf(queue, id))).toList();

        victim.kill();
        assertThat(victim.awaitExit(EXIT)).isEqualTo(137);

        for (String id : ids) {
            TaskRecord done = queue.await(id, WAIT);
            assertThat(done.state()).as("task %s", id).isEqualTo(TaskState.SUCCEEDED);
            assertThat(new String(done.result(), StandardCharsets.UTF_8)).startsWith("done-");
            if (victimTasks.contains(id)) {
                assertThat(done.agent()).isEqualTo(survivor.id());
                assertThat(done.attempt()).isEqualTo(2);
            }
        }
        // The survivor leads now, so it counted the reassignments.
        String metrics = survivor.get("/metrics").body();
        assertThat(metric(metrics, "ha_leader")).isEqualTo(1.0);
        assertThat(metric(metrics, "ha_task_reassignments_total")).isGreaterThanOrEqualTo(victimTasks.size());

        survivor.terminate();
        assertThat(survivor.awaitExit(EXIT)).isZero();
    }

    private static boolean running(TaskQueue queue, String id) {
        try {
            return queue.get(id).orElseThrow().state() == TaskState.RUNNING;
        } catch (Exception e) {
            return false;
        }
    }

    private static String agentOf(TaskQueue queue, String id) {
        try {
            return queue.get(id).orElseThrow().agent();
        } catch (Exception e) {
            return null;
        }
    }
}
