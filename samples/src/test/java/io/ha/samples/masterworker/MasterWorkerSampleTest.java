package io.ha.samples.masterworker;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.samples.SampleRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code bin/ha-sample master-worker}, on its embedded ZooKeeper and on a ZooKeeper given with {@code --zk}. */
class MasterWorkerSampleTest {
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void everyResultIsCollectedAndTheWorkerWithoutCredentialsIsRefused() throws Exception {
        SampleRunner.Result result = SampleRunner.run(RUN, "master-worker").assertGuaranteeHeld();

        assertThat(result.output())
                .contains("[ok]     a worker without the credentials was refused: exit code 1")
                .contains("(NoAuth)")
                .contains("[ok]     every result was collected and correct: 100 of 100 tasks SUCCEEDED with n*n")
                .contains("[ok]     each outcome was recorded exactly once: the queue holds 100 SUCCEEDED records");
    }

    @Test
    void onAGivenZooKeeperItRunsUnderAChrootOfItsOwnAndRemovesItAfterwards() throws Exception {
        SampleRunner.Result result = SampleRunner.runOnGivenZooKeeper(RUN, "master-worker");

        assertThat(result.output()).contains("100 of 100 tasks SUCCEEDED");
    }
}
