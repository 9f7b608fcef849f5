package io.ha.samples.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.samples.SampleRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/ha-sample watchdog} on its embedded ZooKeeper (the service-integration test covers a ZooKeeper given with
 * {@code --zk}; each sample runs once in the build).
 */
class WatchdogSampleTest {
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void theStandbyTakesOverAndTheSupervisorsRestartTheKilledAndTheHungCopy() throws Exception {
        SampleRunner.Result result = SampleRunner.run(RUN, "watchdog").assertGuaranteeHeld();

        assertThat(result.output())
                .contains("[ok]     the standby took over within the session timeout after kill -9: copy-b active")
                .contains("[ok]     each new active copy had a higher epoch: copy-a ")
                .contains("[ok]     one copy per epoch, and no deposed copy wrote after the takeover: ")
                .contains("never an older epoch after a newer one")
                .contains("[ok]     the killed copy was restarted by its supervisor and rejoined as standby: its "
                        + "supervisor saw pid ")
                .contains("with code 137 (137: SIGKILL)")
                .contains("[ok]     the hung copy was restarted by its supervisor and rejoined as standby: its "
                        + "supervisor noticed the stalled heartbeat of pid ")
                .contains("[ok]     in the end exactly one copy is active and one standby: members {copy-a=")
                .contains("heartbeat stalled");
    }
}
