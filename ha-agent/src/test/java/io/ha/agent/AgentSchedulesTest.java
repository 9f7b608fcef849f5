package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real agent fires schedules and shows them, with their next fire time and paused state, in {@code /status}. */
@Timeout(90)
class AgentSchedulesTest extends AgentTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void statusListsSchedulesWithNextFireTimeAndPausedState() throws Exception {
        AgentProcess agent = startAgent("sch-1", Map.of()).awaitReady(READY);
        HaCluster client = observer();
        Schedules schedules = client.schedules();
        assertThat(status(agent).get("schedules")).isEmpty();

        schedules.define("nightly", Trigger.cron("30 2 * * *", ZoneId.of("Europe/Berlin")),
                exec("echo nightly", 0), Schedules.Options.defaults().paused());
        schedules.define("tick", Trigger.every(Duration.ofMillis(500)), exec("echo tick-$HA_TASK_ID", 0));

        await().atMost(WAIT).until(() -> schedules.get("tick").orElseThrow().record().firedTicks() >= 1);
        TaskRecord fired = client.taskQueue().await(schedules.get("tick").orElseThrow().record().lastTaskId(), WAIT);
        assertThat(fired.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(fired.result(), StandardCharsets.UTF_8)).isEqualTo("tick-" + fired.id() + "\n");

        JsonNode doc = status(agent);
        assertThat(doc.get("schedulesTotal").asInt()).isEqualTo(2);
        JsonNode nightly = doc.at("/schedules/0");
        assertThat(nightly.get("name").asText()).isEqualTo("nightly");
        assertThat(nightly.get("trigger").asText()).isEqualTo("cron '30 2 * * *' in Europe/Berlin");
        assertThat(nightly.get("taskType").asText()).isEqualTo("exec");
        assertThat(nightly.get("paused").asBoolean()).isTrue();
        assertThat(nightly.get("nextFireTime").isNull()).isTrue();
        JsonNode tick = doc.at("/schedules/1");
        assertThat(tick.get("name").asText()).isEqualTo("tick");
        assertThat(tick.get("paused").asBoolean()).isFalse();
        assertThat(Instant.parse(tick.get("nextFireTime").asText())).isAfter(Instant.now().minusSeconds(5));
        assertThat(tick.get("firedTicks").asLong()).isPositive();

        schedules.resume("nightly");
        JsonNode resumed = status(agent).at("/schedules/0");
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        assertThat(Instant.parse(resumed.get("nextFireTime").asText()).atZone(ZoneId.of("Europe/Berlin")))
                .satisfies(t -> assertThat(t.getHour() * 60 + t.getMinute()).isEqualTo(2 * 60 + 30));

        agent.terminate();
        assertThat(agent.awaitExit(EXIT)).isZero();
    }

    private static JsonNode status(AgentProcess agent) throws Exception {
        return JSON.readTree(agent.get("/status").body());
    }
}
