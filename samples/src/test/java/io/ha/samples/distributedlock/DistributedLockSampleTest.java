package io.ha.samples.distributedlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.samples.SampleRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** {@code bin/ha-sample distributed-lock}, on its embedded ZooKeeper and on a ZooKeeper given with {@code --zk}. */
class DistributedLockSampleTest {
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void noUpdateIsLostAndTheFrozenHoldersLateWriteIsRefused() throws Exception {
        SampleRunner.Result result = SampleRunner.run(RUN, "distributed-lock").assertGuaranteeHeld();

        assertThat(result.output())
                .containsPattern("\\[ok\\]     no update was lost: the counter is 30 after 30 accepted writes "
                        + "\\(1 refused\\)")
                .contains("[ok]     the accepted writes' fencing tokens strictly increase: tokens [")
                .containsPattern("\\[ok\\]     the lock passed to another process while the holder was frozen: "
                        + "client-[23] wrote with token \\d+ ")
                .containsPattern("\\[ok\\]     the frozen holder's late write was refused: client-1's write of \\d+ "
                        + "with token \\d+ was refused; the highest token accepted before it was \\d+")
                .contains("[ok]     the frozen holder learned that it had lost the lock: client-1 said \"learned from")
                .containsPattern("\\[client-1\\] REFUSED by the storage: write of \\d+ with fencing token \\d+ "
                        + "refused: the storage has already accepted token \\d+");
    }

    /** The framework's --zk path is in the normal build with master-worker and service-integration; this with -Pchaos. */
    @Test
    @EnabledIfSystemProperty(named = "ha.long", matches = "true")
    void onAGivenZooKeeperItRunsUnderAChrootOfItsOwnAndRemovesItAfterwards() throws Exception {
        SampleRunner.Result result = SampleRunner.runOnGivenZooKeeper(RUN, "distributed-lock");

        assertThat(result.output()).contains("[ok]     the frozen holder's late write was refused");
    }
}
