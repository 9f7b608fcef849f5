package io.ha.agent.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    /** A clock that moves only when told. */
    private static final class FakeTicker extends Ticker {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    private final FakeTicker clock = new FakeTicker();

    private RestartPolicy policy(int maxRestarts, Duration window) {
        return new RestartPolicy(new RestartPolicy.Settings(Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(60), maxRestarts, window), clock);
    }

    /** The agent runs for {@code uptime}, then fails; returns the decision. */
    private static RestartPolicy.Decision runAndFail(RestartPolicy policy, FakeTicker clock, Duration uptime) {
        policy.started();
        clock.advance(uptime);
        return policy.failed();
    }

    private static Duration delay(RestartPolicy.Decision decision) {
        assertThat(decision).isInstanceOf(RestartPolicy.Restart.class);
        return ((RestartPolicy.Restart) decision).delay();
    }

    @Test
    void backoffDoublesPerFailureUpToTheCeiling() {
        RestartPolicy policy = policy(100, Duration.ofMinutes(5));
        long[] expected = {1, 2, 4, 8, 16, 32, 60, 60, 60};
        for (long seconds : expected) {
            RestartPolicy.Decision decision = runAndFail(policy, clock, Duration.ofSeconds(1));
            assertThat(delay(decision)).isEqualTo(Duration.ofSeconds(seconds));
            clock.advance(delay(decision));
        }
    }

    @Test
    void backoffStartsOverAfterTheAgentStayedUpLongEnough() {
        RestartPolicy policy = policy(100, Duration.ofMinutes(5));
        assertThat(delay(runAndFail(policy, clock, Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(1));
        assertThat(delay(runAndFail(policy, clock, Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(delay(runAndFail(policy, clock, Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(4));
        // A stable run (60 s and more) means the last crash was not part of a streak.
        assertThat(delay(runAndFail(policy, clock, Duration.ofSeconds(61)))).isEqualTo(Duration.ofSeconds(1));
        assertThat(delay(runAndFail(policy, clock, Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void givesUpAfterMoreThanMaxRestartsWithinTheWindow() {
        RestartPolicy policy = policy(5, Duration.ofMinutes(5));
        for (int i = 1; i <= 5; i++) {
            RestartPolicy.Decision decision = runAndFail(policy, clock, Duration.ofSeconds(3));
            assertThat(((RestartPolicy.Restart) decision).restartsInWindow()).isEqualTo(i);
            clock.advance(delay(decision));
        }
        RestartPolicy.Decision sixth = runAndFail(policy, clock, Duration.ofSeconds(3));
        assertThat(sixth).isInstanceOf(RestartPolicy.GiveUp.class);
        assertThat(((RestartPolicy.GiveUp) sixth).reason())
                .contains("6 times within 5 min").contains("limit: 5 restarts per 5 min").contains("crash-looping");
    }

    @Test
    void restartsOlderThanTheWindowDoNotCount() {
        RestartPolicy policy = policy(2, Duration.ofMinutes(1));
        assertThat(runAndFail(policy, clock, Duration.ofSeconds(1))).isInstanceOf(RestartPolicy.Restart.class);
        assertThat(runAndFail(policy, clock, Duration.ofSeconds(1))).isInstanceOf(RestartPolicy.Restart.class);
        // Two restarts 1 s apart; the third failure within the minute is one too many...
        assertThat(runAndFail(policy, clock, Duration.ofSeconds(1))).isInstanceOf(RestartPolicy.GiveUp.class);
        // ...but once both have left the window, the agent gets its restarts again.
        clock.advance(Duration.ofSeconds(60));
        RestartPolicy.Decision later = runAndFail(policy, clock, Duration.ofSeconds(1));
        assertThat(later).isInstanceOf(RestartPolicy.Restart.class);
        assertThat(((RestartPolicy.Restart) later).restartsInWindow()).isEqualTo(1);
    }

    @Test
    void zeroMaxRestartsGivesUpAtTheFirstFailure() {
        assertThat(runAndFail(policy(0, Duration.ofMinutes(5)), clock, Duration.ofHours(1)))
                .isInstanceOf(RestartPolicy.GiveUp.class);
    }

    @Test
    void refusesInconsistentSettings() {
        assertThatThrownBy(() -> new RestartPolicy.Settings(Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(60), 5, Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max backoff");
        assertThatThrownBy(() -> new RestartPolicy.Settings(Duration.ZERO, Duration.ofSeconds(5),
                Duration.ofSeconds(60), 5, Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial backoff");
        assertThatThrownBy(() -> new RestartPolicy.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(60), -1, Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max restarts");
    }
}
