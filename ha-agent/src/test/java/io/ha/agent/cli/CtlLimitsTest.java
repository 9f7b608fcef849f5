package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TypeLimit;
import io.ha.core.testing.BlockingHandler;
import org.junit.jupiter.api.Test;

/** {@code limits}, {@code limit set|rm} and the limits in {@code status}, human and --json, with exit codes. */
class CtlLimitsTest extends CtlTestBase {

    @Test
    void setListsWithUsageShowsInStatusAndRemoves() throws Exception {
        HaCluster agent = member("agent-a");
        BlockingHandler blocker = new BlockingHandler();
        agent.worker().register("job", blocker, 4);
        assertThat(ctl("limits").exits(0).err()).startsWith("ha-ctl: no limits in cluster 'test'");

        assertThat(ctl("limit", "set", "job", "--max-running", "3", "--per-key", "1", "--rate", "5/s", "--burst",
                "2").exits(0).out()).isEqualTo("limits of type job: max-running=3 per-key=1 rate=5.0/s burst=2\n");
        assertThat(agent.limits().get("job")).contains(TypeLimit.of("job").maxRunning(3).perKey(1).rate(5, 2).build());
        agent.taskQueue().submitAll(java.util.List.of(TaskSpec.builder("job").concurrencyKey("c1").build(),
                TaskSpec.builder("job").concurrencyKey("c1").build()));
        await().atMost(WAIT).until(() -> blocker.started.size() == 1);

        String table = ctl("limits").exits(0).out();
        assertThat(table).containsPattern("(?m)^TYPE +RUNNING +PER KEY +BUSIEST KEY +RATE +BURST$")
                .containsPattern("(?m)^job +1 of 3 +1 +c1 \\(1\\) +5/s +2$");
        JsonNode job = ctl("limits", "--json").exits(0).json().get(0);
        assertThat(job.get("type").asText()).isEqualTo("job");
        assertThat(job.get("maxRunning").asInt()).isEqualTo(3);
        assertThat(job.get("perKey").asInt()).isEqualTo(1);
        assertThat(job.get("rate").asDouble()).isEqualTo(5.0);
        assertThat(job.get("burst").asInt()).isEqualTo(2);
        assertThat(job.get("running").asInt()).isEqualTo(1);
        assertThat(job.get("runningByKey").get("c1").asInt()).isEqualTo(1);

        assertThat(ctl("status").exits(0).out()).containsPattern("(?m)^job +1 of 3 +1 +c1 \\(1\\) +5/s +2$");
        JsonNode status = ctl("status", "--json").exits(0).json();
        assertThat(status.get("cluster").asText()).isEqualTo("test");
        assertThat(status.get("limits").get(0).get("running").asInt()).isEqualTo(1);

        // Only the rate: the other limits are lifted (set replaces).
        assertThat(ctl("limit", "set", "job", "--rate", "0.5").exits(0).out())
                .isEqualTo("limits of type job: rate=0.5/s burst=1\n");
        assertThat(ctl("limits").exits(0).out()).containsPattern("(?m)^job +\\d of no limit +- +c1 \\(\\d\\) +0.5/s +1$");

        assertThat(ctl("limit", "rm", "job").exits(0).out()).isEqualTo("limits of type job removed\n");
        assertThat(ctl("limit", "rm", "job").exits(1).err())
                .matches("ha-ctl: type 'job' has no limits in cluster 'test' at .* \\(see 'ha-ctl limits'\\)\n");
        assertThat(agent.limits().list()).isEmpty();
        blocker.release.countDown();
    }

    @Test
    void badValuesAreUsageErrorsNamingFieldAndValueAndChangeNothing() throws Exception {
        HaCluster agent = member("agent-a");
        ctl("limit", "set", "job", "--max-running", "2").exits(0);

        assertThat(ctl("limit", "set", "job", "--max-running", "0").exits(2).err())
                .isEqualTo("ha-ctl: max running of type 'job' must be at least 1, got 0\n");
        assertThat(ctl("limit", "set", "job", "--rate", "-1/s").exits(2).err())
                .isEqualTo("ha-ctl: rate of type 'job' must be above 0 per second, got -1.0\n");
        assertThat(ctl("limit", "set", "job", "--per-key", "0").exits(2).err())
                .isEqualTo("ha-ctl: per-key limit of type 'job' must be at least 1, got 0\n");
        assertThat(ctl("limit", "set", "job", "--rate", "fast").exits(2).err())
                .startsWith("ha-ctl: rate 'fast' is not a number of starts per second");
        assertThat(ctl("limit", "set", "job", "--burst", "3").exits(2).err())
                .isEqualTo("ha-ctl: burst of type 'job' needs a rate\n");
        assertThat(ctl("limit", "set", "job").exits(2).err()).contains("limit of type 'job' sets nothing");
        assertThat(ctl("limit").exits(2).err()).contains("Usage: ha-ctl limit");

        assertThat(agent.limits().list()).containsExactly(TypeLimit.of("job").maxRunning(2).build());
        assertThat(ctl("limit", "set", "job", "--max-running", "2", "--json").exits(0).json().get("maxRunning")
                .asInt()).isEqualTo(2);
    }
}
