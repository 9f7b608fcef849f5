package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.agent.exec.ExecHandler;
import io.ha.agent.exec.ExecPayload;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code submit --then} chains, and how {@code task} shows a step's parent, input and children. */
class CtlPipelineTest extends CtlTestBase {
    private HaCluster execMember(String id) throws Exception {
        HaCluster m = member(id);
        m.worker().register(ExecPayload.TYPE, new ExecHandler(Duration.ofSeconds(1)), 2);
        return m;
    }

    @Test
    void submitWithThenRunsAChainEachStepReadingThePreviousResult() throws Exception {
        HaCluster m = execMember("agent-a");
        String first = ctl("submit", "--type", "exec", "--env", "MARK=m", "--max-attempts", "2",
                "--then", "cat; echo \"step2 $MARK parent=$HA_PARENT_ID\"",
                "--then", "cat; echo step3",
                "--", "sh", "-c", "echo step1").exits(0).out().trim();

        TaskRecord one = m.taskQueue().await(first, WAIT);
        assertThat(one.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(one.children()).hasSize(1);
        String second = one.children().get(0);
        TaskRecord two = m.taskQueue().await(second, WAIT);
        assertThat(two.children()).hasSize(1);
        String third = two.children().get(0);
        TaskRecord three = m.taskQueue().await(third, WAIT);
        assertThat(three.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(three.result(), StandardCharsets.UTF_8))
                .isEqualTo("step1\nstep2 m parent=" + first + "\nstep3\n");
        // The steps take the first task's settings.
        assertThat(three.maxAttempts()).isEqualTo(2);

        JsonNode head = ctl("task", first, "--json").exits(0).json();
        assertThat(head.get("parentId").isNull()).isTrue();
        assertThat(head.get("input").isNull()).isTrue();
        assertThat(head.get("children")).extracting(JsonNode::asText).containsExactly(second);
        assertThat(head.get("onSuccess").asInt()).isEqualTo(1);
        JsonNode middle = ctl("task", second, "--json").exits(0).json();
        assertThat(middle.get("parentId").asText()).isEqualTo(first);
        assertThat(middle.get("input").get("text").asText()).isEqualTo("step1\n");
        assertThat(middle.get("children")).extracting(JsonNode::asText).containsExactly(third);
        assertThat(ExecPayload.fromJson(second, middle.get("payload").get("text").asText()
                .getBytes(StandardCharsets.UTF_8)).command())
                .isEqualTo(List.of("sh", "-c", "cat; echo \"step2 $MARK parent=$HA_PARENT_ID\""));

        assertThat(ctl("task", second).exits(0).out())
                .contains("Parent:     " + first + "\n")
                .contains("Children:   " + third + "\n")
                .contains("Follow-ups: 1 on success (exec), 0 on failure\n")
                .contains("Input:      6 bytes\n  step1\n");
        assertThat(ctl("task", third).exits(0).out())
                .contains("Parent:     " + second + "\n")
                .contains("Children:   -\n")
                .doesNotContain("Follow-ups:");
    }

    @Test
    void aFailedStepEndsTheChain() throws Exception {
        HaCluster m = execMember("agent-a");
        String first = ctl("submit", "--type", "exec", "--max-attempts", "1", "--then", "echo never",
                "--", "sh", "-c", "exit 3").exits(0).out().trim();
        await().atMost(WAIT).until(() -> m.taskQueue().get(first).orElseThrow().state().isTerminal());
        TaskRecord r = m.taskQueue().get(first).orElseThrow();
        assertThat(r.state()).isEqualTo(TaskState.DEAD);
        assertThat(r.children()).isEmpty();
        assertThat(ctl("task", first).exits(0).out()).contains("Children:   -\n");
    }

    @Test
    void thenIsRefusedWhereItCannotApply() {
        assertThat(ctl("submit", "--type", "report", "--then", "echo x").exits(2).err())
                .isEqualTo("ha-ctl: --then applies only to --type exec (its steps are exec commands)\n");
        assertThat(ctl("submit", "--type", "exec", "--then", " ", "--", "true").exits(2).err())
                .isEqualTo("ha-ctl: --then needs a command, got an empty one\n");
        // Help text wraps with the width of the option list: compare it with the line breaks taken out.
        assertThat(ctl("submit", "--help").exits(0).out().replaceAll("\\s+", " "))
                .contains("--then=SCRIPT").contains("Repeat for a chain A -> B -> C; a failed step ends the chain.");
    }
}
