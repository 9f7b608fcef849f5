package io.ha.samples.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.samples.SampleRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code bin/ha-sample map-reduce}, on its embedded ZooKeeper. */
class MapReduceSampleTest {
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void theJoinMergesEveryPartOnceAndTheKilledAgentsPartsAreRedone() throws Exception {
        SampleRunner.Result result = SampleRunner.run(RUN, "map-reduce").assertGuaranteeHeld();

        assertThat(result.output())
                .containsPattern("killed mapper-\\d \\(kill -9\\) in the map phase, holding part \\d+")
                .contains("[ok]     the merged counts equal the counts of the whole text: 4800 words, 44 distinct, "
                        + "merged 4800 words, 44 distinct; top [the=689, leader=301, a=232, quorum=172, of=166]")
                .containsPattern("\\[ok\\]     the join ran once and its input held every part: group ENDED; 24 of "
                        + "24 parts SUCCEEDED; the join SUCCEEDED at attempt 1 on mapper-\\d, ran 1 time\\(s\\); it "
                        + "merged parts 24 of 24")
                .containsPattern("\\[ok\\]     the killed agent's parts were redone elsewhere: mapper-\\d held "
                        + "\\d+ at the kill, redone [1-9]\\d*: \\[part \\d+ on mapper-\\d at attempt 2");
    }
}
