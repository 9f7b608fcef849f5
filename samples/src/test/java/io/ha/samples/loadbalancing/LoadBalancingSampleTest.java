package io.ha.samples.loadbalancing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.samples.SampleRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** {@code bin/ha-sample load-balancing}, on its embedded ZooKeeper and on a ZooKeeper given with {@code --zk}. */
class LoadBalancingSampleTest {
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void aKilledAgentLeavesAndEveryTaskOfEveryPlacementSucceedsWithinTheSlots() throws Exception {
        SampleRunner.Result result = SampleRunner.run(RUN, "load-balancing").assertGuaranteeHeld();

        assertThat(result.output())
                .containsPattern("\\[ok\\]     a killed agent left the membership within the session timeout: "
                        + "agent-2 was listed for \\d+\\.\\d s after kill -9")
                .containsPattern("\\[ok\\]     the restarted agent joined again: agent-2 is listed with pid \\d+ "
                        + "\\(pid \\d+ before the kill\\)")
                .contains("[ok]     every task of every round succeeded, recorded once: "
                        + "round-robin 40/40 SUCCEEDED (40 records,")
                .contains("least-loaded 40/40 SUCCEEDED (40 records,")
                .contains("capacity-weighted 40/40 SUCCEEDED (40 records,")
                .containsPattern("\\[ok\\]     no agent ever ran more tasks at once than its slots: tasks at once/slots: "
                        + "round-robin agent-\\d \\d/\\d")
                .containsPattern("\\[--\\]     capacity-weighted: agent-1=\\d+ agent-2=\\d+ agent-3=\\d+, makespan ");
    }

    /** The framework's --zk path is in the normal build with master-worker and service-integration; this with -Pchaos. */
    @Test
    @EnabledIfSystemProperty(named = "ha.long", matches = "true")
    void onAGivenZooKeeperItRunsUnderAChrootOfItsOwnAndRemovesItAfterwards() throws Exception {
        SampleRunner.Result result = SampleRunner.runOnGivenZooKeeper(RUN, "load-balancing");

        assertThat(result.output()).contains("[ok]     every task of every round succeeded, recorded once");
    }
}
