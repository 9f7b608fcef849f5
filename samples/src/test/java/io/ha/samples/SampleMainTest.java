package io.ha.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bin/ha-sample}'s command line: the list, bad names and arguments, an unreachable ZooKeeper. */
class SampleMainTest {
    private static final Duration QUICK = Duration.ofSeconds(60);

    @Test
    void withoutArgumentsListsEverySampleOneALineNameFirst() throws Exception {
        SampleRunner.Result result = SampleRunner.run(QUICK);

        assertThat(result.exitCode()).isZero();
        List<String> names = result.lines().stream().map(l -> l.split("\\s+", 2)[0]).toList();
        assertThat(names).containsExactlyElementsOf(SampleCatalog.ALL.stream().map(Sample::name).toList());
        assertThat(result.lines()).allSatisfy(l -> assertThat(l.split("\\s+", 2)[1]).isNotBlank());
    }

    @Test
    void anUnknownNameIsAUsageErrorThatListsTheNames() throws Exception {
        SampleRunner.Result result = SampleRunner.run(QUICK, "no-such-sample");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("no sample is named 'no-such-sample'").contains("master-worker");
    }

    @Test
    void onlyTheZooKeeperAddressMayFollowTheName() throws Exception {
        SampleRunner.Result result = SampleRunner.run(QUICK, "master-worker", "--workers", "5");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("only --zk CONNECT may follow");
    }

    @Test
    void anUnreachableZooKeeperFailsWithItsAddressAndLeavesNothingBehind() throws Exception {
        SampleRunner.Result result = SampleRunner.run(QUICK, "master-worker", "--zk", "127.0.0.1:1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("cannot set up the sample").contains("127.0.0.1:1");
        assertThat(result.leftovers()).isEmpty();
    }
}
