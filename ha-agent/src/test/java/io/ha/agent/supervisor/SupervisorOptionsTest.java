package io.ha.agent.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SupervisorOptionsTest {
    @Test
    void takesItsOwnOptionsAndPassesEverythingElseToTheAgent() {
        SupervisorOptions o = SupervisorOptions.parse(List.of("--supervise", "--config", "conf/a.properties",
                "--heartbeat-timeout", "10s", "--zk", "zk1:2181", "--max-restarts=3", "--id", "a1"), Map.of());
        assertThat(o.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.restart().maxRestarts()).isEqualTo(3);
        assertThat(o.agentArgs()).containsExactly("--config", "conf/a.properties", "--zk", "zk1:2181", "--id", "a1");
        assertThat(o.mainClass()).isEqualTo(SupervisorOptions.DEFAULT_MAIN_CLASS);
    }

    @Test
    void defaultsMatchTheDocumentation() {
        SupervisorOptions o = SupervisorOptions.parse(List.of(), Map.of());
        assertThat(o.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(o.restart()).isEqualTo(RestartPolicy.Settings.DEFAULTS);
        assertThat(o.stopTimeout()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void flagWinsOverEnvironmentWhichWinsOverDefault() {
        Map<String, String> env = Map.of("HA_SUPERVISOR_HEARTBEAT_TIMEOUT", "20s", "HA_SUPERVISOR_BACKOFF_MAX", "2m");
        SupervisorOptions o = SupervisorOptions.parse(List.of("--heartbeat-timeout", "5000ms"), env);
        assertThat(o.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.restart().maxBackoff()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void everythingAfterDoubleDashIsTheAgents() {
        SupervisorOptions o = SupervisorOptions.parse(List.of("--", "--heartbeat-timeout", "3s"), Map.of());
        assertThat(o.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(o.agentArgs()).containsExactly("--heartbeat-timeout", "3s");
    }

    @Test
    void badValuesNameTheOptionAndItsVariable() {
        assertThatThrownBy(() -> SupervisorOptions.parse(List.of("--backoff-max", "soon"), Map.of()))
                .hasMessageContaining("--backoff-max").hasMessageContaining("HA_SUPERVISOR_BACKOFF_MAX")
                .hasMessageContaining("'soon'");
        assertThatThrownBy(() -> SupervisorOptions.parse(List.of("--heartbeat-timeout", "1s"), Map.of()))
                .hasMessageContaining("heartbeat timeout must be at least 2000 ms");
        assertThatThrownBy(() -> SupervisorOptions.parse(List.of("--stop-timeout"), Map.of()))
                .hasMessageContaining("--stop-timeout needs a value");
    }

    @Test
    void parsesDurationsInTheOneGrammarAndBareNumbersAsSeconds() {
        assertThat(stopTimeout("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(stopTimeout("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(stopTimeout("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(stopTimeout("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(stopTimeout("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(stopTimeout("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(stopTimeout("15 s")).isEqualTo(Duration.ofSeconds(15));
    }

    private static Duration stopTimeout(String text) {
        return SupervisorOptions.parse(List.of("--stop-timeout", text), Map.of()).stopTimeout();
    }
}
