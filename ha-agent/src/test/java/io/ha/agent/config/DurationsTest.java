package io.ha.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.agent.config.Durations.BareNumber;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one duration grammar: what the configuration's, ha-ctl's and the supervisor's old grammars accepted, and more. */
class DurationsTest {
    @Test
    void acceptsTheConfigurationsSingleUnitFormsWithOrWithoutSpace() {
        assertThat(Durations.parse("k", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("k", "15s")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("k", "15 s")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("k", " 2m ")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("k", "2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("k", "1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("k", "0s")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("k", "10 MS")).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void acceptsTheCliCombinedForms() {
        assertThat(Durations.parse("k", "1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("k", "1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("k", " 2D ")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("k", "1s500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("k", "1h 30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("k", "1d2h3m4s5ms")).isEqualTo(Duration.ofDays(1).plusHours(2).plusMinutes(3)
                .plusSeconds(4).plusMillis(5));
    }

    @Test
    void acceptsTheSupervisorsFractionsRoundedToTheMillisecond() {
        assertThat(Durations.parse("k", "1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("k", "0.25 m")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("k", "0.0015s")).isEqualTo(Duration.ofMillis(2));
        assertThat(Durations.parse("k", "250ms")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void bareNumbersMeanWhatTheCallerSays() {
        assertThat(Durations.parse("k", "7", BareNumber.SECONDS)).isEqualTo(Duration.ofSeconds(7));
        assertThat(Durations.parse("k", "1.5", BareNumber.SECONDS)).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("k", "0", BareNumber.ZERO_ONLY)).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> Durations.parse("--timeout", "30", BareNumber.ZERO_ONLY))
                .hasMessageStartingWith("--timeout: invalid duration '30'");
        assertThatThrownBy(() -> Durations.parse("session.timeout", "15"))
                .hasMessageStartingWith("session.timeout: invalid duration '15'");
        assertThatThrownBy(() -> Durations.parse("session.timeout", "0"))
                .hasMessageContaining("invalid duration '0'");
    }

    @Test
    void refusesBadTextNamingTheKeyAndTheText() {
        for (String bad : new String[] {"", " ", "s", "5y", "-1s", "PT15S", "1.s", ".5s", "1m30", "soon", "5 m s",
                "1,5s", "1234567890123s"}) {
            assertThatThrownBy(() -> Durations.parse("drain.timeout", bad, BareNumber.SECONDS))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("drain.timeout: invalid duration '" + bad + "': ")
                    .hasMessageContaining("500ms, 15s, 15 s, 1m30s or 2h");
        }
        assertThatThrownBy(() -> Durations.parse("k", null)).hasMessageContaining("invalid duration 'null'");
    }

    @Test
    void withoutAKeyTheMessageStartsWithTheText() {
        assertThatThrownBy(() -> Durations.parse(null, "soon")).hasMessageStartingWith("invalid duration 'soon': ");
    }

    @Test
    void refusesWhatDurationCannotHold() {
        assertThatThrownBy(() -> Durations.parse("k", "999999999999.5d"))
                .hasMessageContaining("too long");
    }

    @Test
    void formatsTheShortestExactFormThatParsesBack() {
        for (Duration d : new Duration[] {Duration.ofMillis(1500), Duration.ofSeconds(90), Duration.ofMinutes(2),
                Duration.ofHours(3), Duration.ZERO, Duration.ofMillis(1)}) {
            assertThat(Durations.parse("k", Durations.format(d))).isEqualTo(d);
        }
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(120))).isEqualTo("2h");
    }
}
