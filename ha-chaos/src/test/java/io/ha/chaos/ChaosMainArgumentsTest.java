package io.ha.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad arguments end with exit code 2 and a message naming the option and its limit, before anything starts. */
class ChaosMainArgumentsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ChaosMain.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void refusesADurationThatIsNotOne() {
        assertThat(run("--duration", "soon")).isEqualTo(2);
        assertThat(err()).contains("--duration").contains("soon");
    }

    @Test
    void refusesADurationBelowTheMinimum() {
        assertThat(run("--duration", "1s")).isEqualTo(2);
        assertThat(err()).contains("--duration must be at least 5s, got 1000ms");
    }

    @Test
    void refusesAnUnknownFaultKindNamingTheKnownOnes() {
        assertThat(run("--faults", "agent-kill,meteor")).isEqualTo(2);
        assertThat(err()).contains("unknown fault kind 'meteor'").contains("agent-pause").contains("quorum-loss");
    }

    @Test
    void refusesAgentCountsOutOfRange() {
        assertThat(run("--agents", "1")).isEqualTo(2);
        assertThat(err()).contains("--agents must be 2 to 9, got 1");
    }

    @Test
    void refusesASessionTimeoutTheEnsembleCannotGrant() {
        assertThat(run("--session-timeout", "30s")).isEqualTo(2);
        assertThat(err()).contains("--session-timeout must be 1s to 10s").contains("got 30000ms");
    }

    @Test
    void refusesAnUnknownOption() {
        assertThat(run("--durations", "2m")).isEqualTo(2);
        assertThat(err()).contains("--durations");
    }

    @Test
    void helpExitsZeroAndListsTheFaultKinds() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--duration").contains("zk-leader-kill");
    }
}
