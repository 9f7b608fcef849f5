package io.ha.samples.serviceintegration;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.samples.SampleRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/ha-sample service-integration} on a ZooKeeper given with {@code --zk} (the watchdog test covers the
 * embedded one; each sample runs once in the build).
 */
class ServiceIntegrationSampleTest {
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void everyInstanceServesAndTheNightlyJobRunsOnTheLeaderAndMovesWhenItStops() throws Exception {
        SampleRunner.Result result = SampleRunner.runOnGivenZooKeeper(RUN, "service-integration");

        assertThat(result.output())
                .contains("[ok]     every instance answered HTTP: 6 of 6 GET /hello answered by [instance-1, "
                        + "instance-2, instance-3], each naming the leader instance-")
                .contains("[ok]     the nightly job ran only on the leader of its epoch: ")
                .containsPattern("\\[ok\\]     no period ran twice: (\\d+) runs for \\1 distinct periods")
                .contains("[ok]     leadership moved at once on the clean stop: ")
                .contains("exited with code 0")
                .contains("[ok]     the job moved to another instance soon after the stop: first run on ")
                .contains("[ok]     the stopped instance's port refuses connections: ")
                .contains("[ok]     the remaining instances kept serving: 2 of 2 answered, naming the new leader");
    }
}
