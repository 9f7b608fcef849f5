package io.ha.samples.intervalpipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.samples.SampleRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** {@code bin/ha-sample interval-pipeline}, on its embedded ZooKeeper and on a ZooKeeper given with {@code --zk}. */
class IntervalPipelineSampleTest {
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void everyTicksResultIsProcessedOnceAndTheKilledAgentsFollowUpCompletesElsewhere() throws Exception {
        SampleRunner.Result result = SampleRunner.run(RUN, "interval-pipeline").assertGuaranteeHeld();

        assertThat(result.output())
                .containsPattern("bin/ha-ctl --zk 127\\.0\\.0\\.1:\\d+ --cluster interval-pipeline --auth-file \\S+"
                        + "cluster\\.secret watch")
                .containsPattern("\\[ok]     ha-ctl watch showed the pipeline at work: exit code 0, leader compute-1"
                        + " shown, running: \\S+ (algorithm|process) ")
                .containsPattern("\\[ok]     each tick fired exactly one algorithm run: (\\d+) algorithm tasks for \\1"
                        + " fired ticks \\(0 skipped\\), \\1 distinct tick keys, every 3000 ms from .* with none"
                        + " missing")
                .containsPattern("\\[ok]     every algorithm run has exactly one process follow-up: (\\d+) of \\1"
                        + " algorithm runs SUCCEEDED, \\1 of them with exactly one 'process' child; \\1 'process'"
                        + " tasks in all")
                .containsPattern("\\[ok]     every result was processed: each follow-up SUCCEEDED with its"
                        + " algorithm's result as input: (\\d+) of \\1 follow-ups; e.g. \\S+ got 'model of tick ")
                .containsPattern("\\[ok]     the killed agent's follow-up was reassigned and completed elsewhere:"
                        + " task \\S+ ran on the killed process-(\\d), ended at attempt [2-9] SUCCEEDED on"
                        + " process-(?!\\1)\\d");
    }

    /** The framework's --zk path is in the normal build with master-worker and service-integration; this with -Pchaos. */
    @Test
    @EnabledIfSystemProperty(named = "ha.long", matches = "true")
    void onAGivenZooKeeperItRunsUnderAChrootOfItsOwnAndRemovesItAfterwards() throws Exception {
        SampleRunner.Result result = SampleRunner.runOnGivenZooKeeper(RUN, "interval-pipeline");

        assertThat(result.output()).containsPattern("bin/ha-ctl --zk 127\\.0\\.0\\.1:\\d+/ha-sample-\\S+ --cluster")
                .contains("[ok]     ha-ctl watch showed the pipeline at work: exit code 0")
                .contains("[ok]     the killed agent's follow-up was reassigned and completed elsewhere");
    }
}
