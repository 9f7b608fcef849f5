package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesOperatorDurations() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse(" 2D ")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
    }

    @Test
    void refusesBareNumbersAndUnknownUnitsNamingTheText() {
        for (String bad : new String[] {"30", "5 m", "1.5s", "-1s", "5y", "", "s"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid duration '" + bad + "'").hasMessageContaining("500ms, 30s, 5m");
        }
    }

    @Test
    void formatsShortAndReadable() {
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Durations.format(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(Durations.format(Duration.ofSeconds(192))).isEqualTo("3m12s");
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Durations.format(Duration.ofMinutes(125))).isEqualTo("2h5m");
        assertThat(Durations.format(Duration.ofHours(76))).isEqualTo("3d4h");
    }
}
