package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.agent.testing.Processes;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Graceful drain of a real agent process: on SIGTERM, and on a remote drain command. */
@Timeout(90)
class AgentDrainTest extends AgentTestBase {
    @Test
    void sigtermLetsRunningTaskFinishHandsTheRestBackAndExitsZero() throws Exception {
        AgentProcess agent = startAgent("drain-1", Map.of("HA_EXEC_CONCURRENCY", "2", "HA_DRAIN_TIMEOUT", "5s"))
                .awaitReady(READY);
        HaCluster client = observer();
        TaskQueue queue = client.taskQueue();
        Path pidFile = dir.resolve("long.pid");
        String shortTask = queue.submit(exec("sleep 2; echo finished", 0));
        String longTask = queue.submit(exec("sleep 60 & echo $! > " + pidFile + "; wait", 0));
        String queued = queue.submit(exec("echo too late", 0));
        await().atMost(WAIT).until(() -> state(queue, shortTask) == TaskState.RUNNING
                && state(queue, longTask) == TaskState.RUNNING && Files.exists(pidFile)
                && !Files.readString(pidFile).isBlank());
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());

        long t0 = System.nanoTime();
        agent.terminate();
        int exit = agent.awaitExit(EXIT);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(exit).as("exit code; stderr: %s", agent.stderr()).isZero();
        // Within the drain timeout plus the hand-back, far below a session expiry plus a reassignment.
        assertThat(took).isLessThan(Duration.ofSeconds(15));
        TaskRecord finished = queue.get(shortTask).orElseThrow();
        assertThat(finished.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(finished.result(), StandardCharsets.UTF_8)).isEqualTo("finished\n");
        // Handed back by the agent itself (it was also the leader: nobody else could have moved it).
        TaskRecord handedBack = queue.get(longTask).orElseThrow();
        assertThat(handedBack.state()).isEqualTo(TaskState.PENDING);
        assertThat(handedBack.attempt()).isEqualTo(2);
        assertThat(handedBack.lastError()).contains("drained");
        TaskRecord neverStarted = queue.get(queued).orElseThrow();
        assertThat(neverStarted.state()).isEqualTo(TaskState.PENDING);
        assertThat(neverStarted.attempt()).isEqualTo(1);
        assertThat(client.membership().isAlive("drain-1")).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> Processes.gone(grandchild));
    }

    @Test
    void stoppingLeaderHandsLeadershipOverBeforeItsRunningTaskFinishes() throws Exception {
        AgentProcess first = startAgent("lead-1", Map.of("HA_EXEC_CONCURRENCY", "1", "HA_DRAIN_TIMEOUT", "20s"))
                .awaitReady(READY);
        HaCluster client = observer();
        await().atMost(WAIT).until(() -> client.leaderElection().currentLeader().orElse("").equals("lead-1"));
        AgentProcess second = startAgent("lead-2", Map.of("HA_EXEC_CONCURRENCY", "1")).awaitReady(READY);
        TaskQueue queue = client.taskQueue();
        String onLeader = queue.submit(exec("sleep 5; echo drained-in-time", 0));
        await().atMost(WAIT).until(() -> state(queue, onLeader) == TaskState.RUNNING);
        assertThat(queue.get(onLeader).orElseThrow().agent()).isEqualTo("lead-1");

        first.terminate();

        // The successor leads while the old leader still drains its task (5 s): it did not wait for the drain.
        await().atMost(Duration.ofSeconds(3)).until(() -> client.leaderElection().currentLeader().orElse("")
                .equals("lead-2"));
        assertThat(first.isAlive()).as("old leader still draining").isTrue();
        String next = queue.submit(exec("echo next", 0));
        assertThat(queue.await(next, WAIT).agent()).isEqualTo("lead-2");
        assertThat(first.awaitExit(EXIT)).isZero();
        TaskRecord drained = queue.get(onLeader).orElseThrow();
        assertThat(drained.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(drained.agent()).isEqualTo("lead-1");
        assertThat(second.isAlive()).isTrue();
    }

    @Test
    void remoteDrainCommandKeepsTheAgentRunningAndRegisteredButNotAccepting() throws Exception {
        AgentProcess agent = startAgent("drain-2", Map.of("HA_DRAIN_TIMEOUT", "20s")).awaitReady(READY);
        HaCluster client = observer();
        TaskQueue queue = client.taskQueue();
        String running = queue.submit(exec("sleep 2; echo ok", 0));
        await().atMost(WAIT).until(() -> state(queue, running) == TaskState.RUNNING);

        client.agentControl().request("drain-2", "drain");

        assertThat(client.agentControl().awaitHandled("drain-2", WAIT)).isTrue();
        await().atMost(WAIT).until(() -> !client.membership().get("drain-2").map(AgentInfo::accepting).orElse(true));
        assertThat(queue.await(running, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        String later = queue.submit(exec("echo later", 0));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> state(queue, later) == TaskState.PENDING);
        assertThat(agent.isAlive()).isTrue();
        assertThat(client.membership().isAlive("drain-2")).isTrue();
        assertThat(agent.get("/ready").statusCode()).isEqualTo(200);

        agent.terminate();
        assertThat(agent.awaitExit(EXIT)).isZero();
        assertThat(Files.readString(dir.resolve("logs/ha-agent-drain-2.log"))).contains("draining (command from "
                + "observer)");
    }

    private static TaskState state(TaskQueue queue, String id) throws Exception {
        return queue.get(id).orElseThrow().state();
    }
}
