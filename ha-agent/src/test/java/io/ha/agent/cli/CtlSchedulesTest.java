package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.ScheduleInfo;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code schedules} and {@code schedule add|rm|pause|resume|trigger-now}, human and --json, with exit codes. */
class CtlSchedulesTest extends CtlTestBase {
    private static final String ID = "[0-9a-f]{11}-[0-9a-f]{8,}";

    @Test
    void addListsWithNextFireTimePausesResumesTriggersAndRemoves() throws Exception {
        HaCluster agent = echoMember("agent-a");
        assertThat(ctl("schedules").exits(0).err()).startsWith("ha-ctl: no schedules in cluster 'test'");

        assertThat(ctl("schedule", "add", "hourly", "--cron", "0 * * * *", "--zone", "Europe/Berlin",
                "--misfire", "fire_all", "--overlap", "skip", "--type", "echo", "--payload", "h").exits(0).out())
                .matches("schedule hourly added: cron 0 \\* \\* \\* \\* \\(Europe/Berlin\\), task type 'echo'; "
                        + "next fire: \\d{4}-\\d\\d-\\d\\d \\d\\d:00:00 \\(in .*\\)\n");
        assertThat(ctl("schedule", "add", "often", "--every", "1h", "--type", "echo", "--paused").exits(0).out())
                .contains("next fire: paused");
        assertThat(ctl("schedule", "add", "calm", "--fixed-delay", "10m", "--type", "echo").exits(0).out())
                .contains("next fire: 10m after the last run ends");

        String table = ctl("schedules").exits(0).out();
        assertThat(table.lines().toList()).hasSize(4);
        assertThat(table)
                .containsPattern("(?m)^NAME +TRIGGER +ZONE +STATE +MISFIRE +OVERLAP +TYPE +LAST FIRE +NEXT FIRE$")
                .containsPattern("(?m)^calm +10m after each run +- +enabled +FIRE_ONCE +ALLOW +echo +- +10m after")
                .containsPattern("(?m)^hourly +cron 0 \\* \\* \\* \\* +Europe/Berlin +enabled +FIRE_ALL +SKIP +echo"
                        + " +- +\\d{4}-.* \\(in .*\\)$")
                .containsPattern("(?m)^often +every 1h +- +paused +FIRE_ONCE +ALLOW +echo +- +paused$");

        JsonNode list = ctl("schedules", "--json").exits(0).json();
        assertThat(list).extracting(n -> n.get("name").asText()).containsExactly("calm", "hourly", "often");
        JsonNode hourly = list.get(1);
        assertThat(hourly.get("kind").asText()).isEqualTo("cron");
        assertThat(hourly.get("cron").asText()).isEqualTo("0 * * * *");
        assertThat(hourly.get("zone").asText()).isEqualTo("Europe/Berlin");
        assertThat(hourly.get("state").asText()).isEqualTo("enabled");
        assertThat(hourly.get("misfire").asText()).isEqualTo("FIRE_ALL");
        assertThat(hourly.get("overlap").asText()).isEqualTo("SKIP");
        Instant next = Instant.parse(hourly.get("nextFireTime").asText());
        assertThat(next).isAfter(Instant.now()).isBefore(Instant.now().plusSeconds(3601));
        assertThat(next.getEpochSecond() % 3600).isZero(); // on the hour in Berlin is on the hour in UTC
        JsonNode often = list.get(2);
        assertThat(often.get("kind").asText()).isEqualTo("fixed-rate");
        assertThat(often.get("intervalMs").asLong()).isEqualTo(3_600_000);
        assertThat(often.get("enabled").asBoolean()).isFalse();
        assertThat(often.get("nextFireTime").isNull()).isTrue();
        assertThat(often.get("lastFire").isNull()).isTrue();

        assertThat(ctl("schedule", "resume", "often").exits(0).out())
                .matches("schedule often resumed; next fire: \\d{4}-.* \\(in (59m\\d+s|1h)\\)\n");
        assertThat(ctl("schedule", "pause", "often").exits(0).out()).isEqualTo("schedule often paused\n");
        assertThat(ctl("schedule", "pause", "often").exits(0).out()).isEqualTo("schedule often was already paused\n");
        assertThat(agent.schedules().get("often").orElseThrow().record().enabled()).isFalse();

        // A paused schedule still fires by hand; the id printed is the task's.
        String taskId = ctl("schedule", "trigger-now", "often").exits(0).out().trim();
        assertThat(taskId).matches(ID);
        TaskRecord fired = agent.taskQueue().await(taskId, WAIT);
        assertThat(fired.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(fired.result(), StandardCharsets.UTF_8)).isEqualTo("echo:");
        JsonNode afterFire = ctl("schedules", "--json").exits(0).json().get(2);
        assertThat(afterFire.get("lastTaskId").asText()).isEqualTo(taskId);
        assertThat(afterFire.get("lastTaskState").asText()).isEqualTo("SUCCEEDED");
        assertThat(afterFire.get("lastFire").asText()).endsWith("Z");
        assertThat(ctl("schedules").exits(0).out())
                .containsPattern("(?m)^often +.* paused .*\\(.* ago\\) SUCCEEDED +paused$");

        JsonNode rm = ctl("schedule", "rm", "often", "--json").exits(0).json();
        assertThat(rm.get("action").asText()).isEqualTo("removed");
        assertThat(rm.get("schedule").isNull()).isTrue();
        assertThat(agent.schedules().list()).extracting(i -> i.record().name()).containsExactly("calm", "hourly");
    }

    @Test
    void aScheduleAddedFromTheCliFiresOnItsTicks() throws Exception {
        HaCluster agent = echoMember("agent-a");
        ctl("schedule", "add", "fast", "--every", "500ms", "--type", "echo", "--payload", "tick").exits(0);
        await().atMost(WAIT).until(() -> agent.schedules().get("fast").orElseThrow().record().firedTicks() >= 2);
        ScheduleInfo info = agent.schedules().get("fast").orElseThrow();
        TaskRecord last = agent.taskQueue().await(info.record().lastTaskId(), WAIT);
        assertThat(new String(last.result(), StandardCharsets.UTF_8)).isEqualTo("echo:tick");
        assertThat(last.idempotencyKey()).startsWith("schedule:fast:");
    }

    @Test
    void errorsNameTheProblemWithTheirExitCodes() throws Exception {
        HaCluster agent = member("agent-a");
        assertThat(ctl("schedule", "add", "x", "--cron", "61 * * * *", "--type", "t").exits(2).err())
                .startsWith("ha-ctl: invalid cron expression '61 * * * *' (unix, 5 fields): ")
                .doesNotContain("\tat ").hasLineCount(1);
        assertThat(ctl("schedule", "add", "x", "--cron", "0 * * * *", "--zone", "Mars/Olympus", "--type", "t")
                .exits(2).err()).startsWith("ha-ctl: unknown time zone 'Mars/Olympus'");
        assertThat(ctl("schedule", "add", "x", "--type", "t").exits(2).err()).isEqualTo("ha-ctl: no trigger: give "
                + "exactly one of --every DURATION, --fixed-delay DURATION and --cron EXPRESSION\n");
        assertThat(ctl("schedule", "add", "x", "--every", "1h", "--fixed-delay", "1h", "--type", "t").exits(2).err())
                .startsWith("ha-ctl: more than one trigger");
        assertThat(ctl("schedule", "add", "x", "--every", "1h", "--zone", "UTC", "--type", "t").exits(2).err())
                .isEqualTo("ha-ctl: --zone applies only to --cron\n");
        assertThat(ctl("schedule", "add", "x", "--every", "50ms", "--type", "t").exits(2).err())
                .isEqualTo("ha-ctl: fixed-rate interval must be at least 100 ms, got 50 ms\n");
        assertThat(ctl("schedule", "add", "x", "--every", "1h", "--type", "t", "--misfire", "sometimes").exits(2)
                .err()).contains("--misfire").contains("FIRE_ONCE, FIRE_ALL, SKIP");
        assertThat(ctl("schedule", "add", "bad/name", "--every", "1h", "--type", "t").exits(2).err())
                .startsWith("ha-ctl: schedule name");
        assertThat(ctl("schedule", "add", "x", "--every", "1h").exits(2).err()).contains("'--type=TYPE'");
        assertThat(ctl("schedule").exits(2).err()).contains("Usage: ha-ctl schedule");

        ctl("schedule", "add", "x", "--every", "1h", "--type", "t").exits(0);
        assertThat(ctl("schedule", "add", "x", "--cron", "0 0 * * *", "--type", "u").exits(1).err())
                .isEqualTo("ha-ctl: schedule 'x' exists (every 1h, task type 't'); give --replace to redefine it, "
                        + "or remove it first with 'ha-ctl schedule rm x'\n");
        assertThat(ctl("schedule", "add", "x", "--cron", "0 0 * * *", "--type", "u", "--replace").exits(0).out())
                .startsWith("schedule x replaced: cron 0 0 * * * (UTC), task type 'u'");
        assertThat(agent.schedules().get("x").orElseThrow().record().trigger())
                .isEqualTo(new Trigger.CronTrigger("0 0 * * *", "UTC"));

        for (String action : List.of("rm", "pause", "resume", "trigger-now")) {
            assertThat(ctl("schedule", action, "nope").exits(1).err()).as(action)
                    .isEqualTo("ha-ctl: no schedule named 'nope' in cluster 'test' at " + server.getConnectString()
                            + " (see 'ha-ctl schedules')\n");
        }
    }
}
