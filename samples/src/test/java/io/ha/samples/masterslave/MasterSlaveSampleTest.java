package io.ha.samples.masterslave;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.samples.SampleRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code bin/ha-sample master-slave}, on its embedded ZooKeeper. */
class MasterSlaveSampleTest {
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void theSlavesJobsAreRedoneAndTheSecondMasterTakesOverWithNoJobLostOrRunTwice() throws Exception {
        SampleRunner.Result result = SampleRunner.run(RUN, "master-slave").assertGuaranteeHeld();

        assertThat(result.output())
                .contains("[master-1] elected: I am the master now, epoch 1")
                .contains("[master-2] elected: I am the master now, epoch 2")
                .containsPattern("\\[slave-1\\] job \\d+ at 50% \\(attempt 1\\)")
                .containsPattern("\\[ok\\]     a slave's progress was visible to other processes: read from "
                        + "ZooKeeper by the sample: job \\d+ at [1-9]\\d*% \\(step \\d+ of 10\\) on slave-1, attempt 1")
                .containsPattern("\\[master-1\\] status \\(epoch 1\\): .*progress: job \\d+ \\d+% on slave-\\d")
                .contains("[ok]     every job SUCCEEDED and is recorded once: 30 of 30 jobs SUCCEEDED; the queue "
                        + "holds 30 records, 30 SUCCEEDED")
                .containsPattern("\\[ok\\]     the killed slave's jobs were reassigned and completed elsewhere: "
                        + "slave-1 held ([1-9]\\d*), redone \\1: \\[job \\d+ on slave-[23] at attempt 2")
                .contains("[ok]     the new master took over with a higher epoch and dispatched on: master-1 led "
                        + "in epoch 1, master-2 (the leader now: master-2) in epoch 2")
                .contains("[ok]     no job ran twice to completion: 30 completed runs for 30 jobs, one each");
    }
}
