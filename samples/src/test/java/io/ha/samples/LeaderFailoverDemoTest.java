package io.ha.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code bin/ha-demo leader}: three member JVMs, the leader killed -9, a survivor takes over with a higher epoch. */
class LeaderFailoverDemoTest {
    @Test
    void aSurvivorTakesOverWithAHigherEpochAndNoMemberIsLeftRunning() throws Exception {
        SampleRunner.Result result = SampleRunner.runMain(LeaderFailoverDemo.class, Duration.ofMinutes(3));

        assertThat(result.exitCode()).as("exit code; output:\n%s", result.output()).isZero();
        Matcher takeover = Pattern.compile(">>> TAKEOVER: (member-\\d) is the new leader, epoch (\\d+) \\(was (\\d+)\\)")
                .matcher(result.output());
        assertThat(takeover.find()).as("a TAKEOVER line in:\n%s", result.output()).isTrue();
        assertThat(Long.parseLong(takeover.group(2))).isGreaterThan(Long.parseLong(takeover.group(3)));
        assertThat(result.output()).contains("demo finished OK");
        assertThat(result.leftovers()).as("member processes still alive").isEmpty();
    }
}
