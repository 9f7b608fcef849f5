package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.core.cluster.HaCluster;
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
    }

    @Test
    void unknownGroupExitsOneNamingTheId() throws Exception {
        member("agent-a");
        Result r = ctl("group", "18c0ffee000-0000deadbeef").exits(1);
        assertThat(r.err()).isEqualTo("ha-ctl: no task group with id '18c0ffee000-0000deadbeef'\n");
        assertThat(r.out()).isEmpty();
    }
}
