package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.agent.cli.CtlMain;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A three-step exec chain submitted with {@code ha-ctl submit --then}, whose middle step's agent is killed with
 * SIGKILL: another agent runs the step again and finishes the chain, each step reading the previous one's result.
 */
@Timeout(120)
class AgentPipelineFailoverTest extends AgentTestBase {
    private Path orphanPidFile;

    @AfterEach
    void killOrphan() throws Exception {
        // The killed agent's command lives on (SIGKILL leaves no chance to end it): end it and its sleep here.
        if (orphanPidFile != null && Files.exists(orphanPidFile)) {
            long pid = Long.parseLong(Files.readString(orphanPidFile).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
    }

    @Test
    void chainFinishesOnAnotherAgentWhenTheAgentOfItsMiddleStepIsKilled() throws Exception {
        AgentProcess a = startAgent("pl-a", Map.of("HA_EXEC_CONCURRENCY", "2"));
        AgentProcess b = startAgent("pl-b", Map.of("HA_EXEC_CONCURRENCY", "2"));
        a.awaitReady(READY);
        b.awaitReady(READY);
        HaCluster client = observer();
        TaskQueue queue = client.taskQueue();
        await().atMost(WAIT).until(() -> client.membership().list().stream().filter(AgentInfo::accepting).count() == 2);

        orphanPidFile = dir.resolve("step2.pid");
        // Step 2 hangs on its first attempt only, so the kill surely lands while it runs and the retry is quick.
        String step2 = "cat; if [ \"$HA_TASK_ATTEMPT\" = 1 ]; then echo $$ > " + orphanPidFile + "; sleep 60; fi; "
                + "echo \"step2 parent=$HA_PARENT_ID\"";
        String first = submitWithCtl("--type", "exec", "--then", step2, "--then", "cat; echo step3",
                "--", "sh", "-c", "cat; echo step1");

        TaskRecord one = queue.await(first, WAIT);
        assertThat(one.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(one.children()).hasSize(1);
        String secondId = one.children().get(0);
        await().atMost(WAIT).until(() -> Files.exists(orphanPidFile)
                && state(queue, secondId) == TaskState.RUNNING);
        String victimId = queue.get(secondId).orElseThrow().agent();
        AgentProcess victim = victimId.equals(a.id()) ? a : b;
        AgentProcess survivor = victim == a ? b : a;

        victim.kill();
        assertThat(victim.awaitExit(EXIT)).isEqualTo(137);

        TaskRecord two = queue.await(secondId, WAIT);
        assertThat(two.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(two.attempt()).isEqualTo(2);
        assertThat(two.agent()).isEqualTo(survivor.id());
        assertThat(two.children()).hasSize(1);
        TaskRecord three = queue.await(two.children().get(0), WAIT);
        assertThat(three.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(three.agent()).isEqualTo(survivor.id());

        List<TaskRecord> chain = List.of(one, two, three);
        for (int i = 1; i < chain.size(); i++) {
            TaskRecord parent = chain.get(i - 1);
            TaskRecord child = chain.get(i);
            assertThat(child.parentId()).isEqualTo(parent.id());
            assertThat(parent.children()).containsExactly(child.id());
            assertThat(new String(child.input(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(parent.result(), StandardCharsets.UTF_8));
            // Created by the transaction that recorded the parent's success, and started after it.
            long parentEnd = at(parent, TaskState.SUCCEEDED);
            assertThat(child.createdAt()).isGreaterThanOrEqualTo(parentEnd);
            assertThat(firstAt(child, TaskState.RUNNING)).isGreaterThanOrEqualTo(parentEnd);
        }
        assertThat(new String(three.result(), StandardCharsets.UTF_8))
                .isEqualTo("step1\nstep2 parent=" + first + "\nstep3\n");

        survivor.terminate();
        assertThat(survivor.awaitExit(EXIT)).isZero();
    }

    private String submitWithCtl(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("submit"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CtlMain.execute(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err),
                new ByteArrayInputStream(new byte[0]),
                Map.of("HA_ZK_CONNECT", server.getConnectString(), "HA_CLUSTER_NAME", "test",
                        "HA_ZK_AUTH_FILE", credentials().file().toString()));
        assertThat(code).as("ha-ctl submit: %s", err).isZero();
        return out.toString().trim();
    }

    private static TaskState state(TaskQueue queue, String id) {
        try {
            return queue.get(id).map(TaskRecord::state).orElse(null);
        } catch (Exception e) {
            return null;
        }
    }

    /** When the task last entered {@code state}. */
    private static long at(TaskRecord r, TaskState state) {
        Optional<TaskEvent> e = r.history().stream().filter(h -> h.state() == state).reduce((x, y) -> y);
        return e.orElseThrow(() -> new AssertionError(r.id() + " never was " + state)).at();
    }

    /** When the task first entered {@code state}. */
    private static long firstAt(TaskRecord r, TaskState state) {
        return r.history().stream().filter(h -> h.state() == state).findFirst()
                .orElseThrow(() -> new AssertionError(r.id() + " never was " + state)).at();
    }
}
