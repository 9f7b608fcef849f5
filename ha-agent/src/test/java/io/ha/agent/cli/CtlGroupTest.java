package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.agent.exec.ExecHandler;
import io.ha.agent.exec.ExecPayload;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.JoinInput;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import io.ha.core.task.GroupState;
import io.ha.core.task.GroupSubmission;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ha-ctl group: a group's state, members per state and join, human and --json; an unknown id exits 1. */
class CtlGroupTest extends CtlTestBase {

    @Test
    void showsAnEndedGroupWithItsMembersAndJoin() throws Exception {
        HaCluster agent = echoMember("agent-a");
        agent.worker().register("merge", ctx -> null, 1);
        TaskQueue queue = agent.taskQueue();
        GroupSubmission group = queue.submitGroup(List.of(TaskSpec.builder("echo").payload("1").build(),
                TaskSpec.builder("echo").payload("2").build()), TaskSpec.builder("merge").build());
        await().atMost(WAIT).until(() -> queue.group(group.groupId()).state() == GroupState.ENDED);
        String joinId = queue.group(group.groupId()).joinId();

        Result text = ctl("group", group.groupId(), "--members").exits(0);
        assertThat(text.out()).contains("State:      ENDED").contains("Members:    2")
                .contains("Ended:      2 SUCCEEDED").contains("Active:     0")
                .contains("Join:       " + joinId + " SUCCEEDED").contains(group.memberIds().get(1));

        JsonNode json = ctl("group", group.groupId(), "--json").exits(0).json();
        assertThat(json.get("state").asText()).isEqualTo("ENDED");
        assertThat(json.get("joinId").asText()).isEqualTo(joinId);
        assertThat(json.get("ended").get("SUCCEEDED").asInt()).isEqualTo(2);
        assertThat(json.get("members")).hasSize(2);
        assertThat(json.get("members").get(0).get("id").asText()).isEqualTo(group.memberIds().get(0));
        // A task shows its group: a member with its index, the join as the group's.
        assertThat(ctl("task", group.memberIds().get(1)).exits(0).out())
                .contains("Group:      " + group.groupId() + " (member 1)\n");
        assertThat(ctl("task", joinId).exits(0).out()).contains("Group:      " + group.groupId() + " (its join)\n")
                .contains("Parent:     " + group.groupId() + "\n");
        assertThat(ctl("task", joinId, "--json").exits(0).json().get("groupIndex").asInt()).isEqualTo(-1);
    }

    @Test
    void unknownGroupExitsOneNamingTheId() throws Exception {
        member("agent-a");
        Result r = ctl("group", "18c0ffee000-0000deadbeef").exits(1);
        assertThat(r.err()).isEqualTo("ha-ctl: no task group with id '18c0ffee000-0000deadbeef'\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void batchWithJoinIsAGroupWhoseScriptReadsTheMembersResultsOnStdin() throws Exception {
        HaCluster agent = member("agent-a");
        agent.worker().register(ExecPayload.TYPE, new ExecHandler(Duration.ofSeconds(1)), 4);
        TaskQueue queue = agent.taskQueue();
        String lines = "{\"type\":\"exec\",\"command\":[\"echo\",\"part-0\"]}\n"
                + "{\"type\":\"exec\",\"command\":[\"sh\",\"-c\",\"exit 3\"],\"maxAttempts\":1}\n"
                + "{\"type\":\"exec\",\"command\":[\"echo\",\"part-2\"]}\n";

        List<String> out = ctlWithStdin(lines.getBytes(StandardCharsets.UTF_8), "submit", "--batch", "-",
                "--join", "cat").exits(0).out().lines().toList();

        assertThat(out).hasSize(4);
        String groupId = out.get(0);
        await().atMost(WAIT).until(() -> queue.group(groupId).state() == GroupState.ENDED);
        TaskRecord join = queue.get(queue.group(groupId).joinId()).orElseThrow();
        assertThat(join.state()).isEqualTo(TaskState.SUCCEEDED);
        // The script's stdin was the join input: its output (the exec result) decodes as one.
        JoinInput input = JoinInput.decode("join output", join.result());
        assertThat(input.members()).extracting(JoinInput.Member::id).containsExactlyElementsOf(out.subList(1, 4));
        assertThat(input.members()).extracting(JoinInput.Member::state)
                .containsExactly(TaskState.SUCCEEDED, TaskState.DEAD, TaskState.SUCCEEDED);
        assertThat(input.members().get(2).resultText()).isEqualTo("part-2\n");
    }

    @Test
    void batchWithOnFailureRunsItInsteadOfTheJoinWhenAMemberFailed() throws Exception {
        HaCluster agent = member("agent-a");
        agent.worker().register(ExecPayload.TYPE, new ExecHandler(Duration.ofSeconds(1)), 4);
        TaskQueue queue = agent.taskQueue();
        String lines = "{\"type\":\"exec\",\"command\":[\"true\"]}\n"
                + "{\"type\":\"exec\",\"command\":[\"false\"],\"maxAttempts\":1}\n";

        JsonNode out = ctlWithStdin(lines.getBytes(StandardCharsets.UTF_8), "submit", "--batch", "-",
                "--join", "echo merged", "--on-failure", "echo alert", "--json").exits(0).json();

        String groupId = out.get("groupId").asText();
        assertThat(out.get("memberIds")).hasSize(2);
        await().atMost(WAIT).until(() -> queue.group(groupId).state() == GroupState.ENDED);
        TaskRecord ran = queue.get(queue.group(groupId).joinId()).orElseThrow();
        assertThat(new String(ran.result(), StandardCharsets.UTF_8)).isEqualTo("alert\n");
    }

    @Test
    void joinOptionsAreRefusedWhereTheyCannotApply() {
        assertThat(ctl("submit", "--type", "x", "--join", "cat").exits(2).err())
                .isEqualTo("ha-ctl: --join makes a batch a group: give it with --batch FILE\n");
        assertThat(ctlWithStdin(new byte[0], "submit", "--batch", "-", "--on-failure", "cat").exits(2).err())
                .isEqualTo("ha-ctl: --on-failure applies to a group's join: give it with --join SCRIPT\n");
        assertThat(ctlWithStdin(new byte[0], "submit", "--batch", "-", "--join", " ").exits(2).err())
                .isEqualTo("ha-ctl: --join and --on-failure need a command, got an empty one\n");
    }
}
