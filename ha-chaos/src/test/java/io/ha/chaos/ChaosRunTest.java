package io.ha.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ha.process.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short chaos run, the real thing in a process of its own: a 3-server ensemble, 5 agent JVMs behind proxies, and
 * faults of four kinds (fixed seed), checked through its JSON report and exit code. About 45 s on 2 cores. With
 * {@code -Pchaos} ({@code -Dha.chaos.seconds=300}) it runs that long with all seven kinds.
 */
class ChaosRunTest {
    private static final int SECONDS = Integer.getInteger("ha.chaos.seconds", 20);
    private static final List<String> KINDS = SECONDS > 60 ? List.of("agent-kill", "agent-pause", "agent-drain",
            "agent-partition", "zk-kill", "zk-leader-kill", "quorum-loss")
            : List.of("agent-kill", "agent-pause", "agent-partition", "zk-leader-kill");
    private static final List<String> KEYS = List.of("acknowledged", "succeeded", "dead", "lost", "recorded_twice",
            "leader_overlaps", "exclusive_overlaps", "ticks_enqueued", "ticks_elapsed", "faults", "zombie_window",
            "reassign_ms_p50", "reassign_ms_max", "seed", "duration_s", "session_timeout_ms");

    @TempDir
    Path dir;

    @Test
    void shortRunInjectsEveryScheduledKindAndEveryInvariantHolds() throws Exception {
        Path json = dir.resolve("chaos.json");
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        Path conf = Path.of("..", "conf", "logback.xml").toAbsolutePath().normalize();
        if (Files.isRegularFile(conf)) {
            jvm.add("-Dlogback.configurationFile=" + conf);
            jvm.add("-Dha.log.dir=" + dir.resolve("logs"));
        }
        try (ChildProcess run = ChildProcess.java(ChaosMain.class.getName()).name("ha-chaos").jvmOptions(jvm)
                .args("--duration", SECONDS + "s", "--seed", "16", "--faults", String.join(",", KINDS), "--json",
                        json.toString(), "--work-dir", dir.resolve("run").toString())
                .keepLines(5000).start()) {
            Duration bound = Duration.ofSeconds(SECONDS).plusMinutes(5);
            int code = run.awaitExit(bound).orElseThrow(() -> new AssertionError(
                    "ha-chaos still running after " + bound + ":\n" + String.join("\n", run.stdout())));
            String output = String.join("\n", run.stdout());
            assertThat(code).as("exit code; stdout:\n%s\nstderr tail:\n%s", output, tail(run.stderr()))
                    .isZero();
            assertThat(output).contains("every invariant held");
        }
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        for (String key : KEYS) {
            assertThat(report.has(key)).as("key %s in %s", key, report).isTrue();
        }
        assertThat(report.get("lost").asInt()).isZero();
        assertThat(report.get("recorded_twice").asInt()).isZero();
        assertThat(report.get("leader_overlaps").asInt()).isZero();
        assertThat(report.get("exclusive_overlaps").asInt()).isZero();
        int acknowledged = report.get("acknowledged").asInt();
        assertThat(acknowledged).isPositive();
        assertThat(report.get("succeeded").asInt() + report.get("dead").asInt()).isEqualTo(acknowledged);
        assertThat(report.get("ticks_enqueued").asInt()).isPositive();
        assertThat(report.get("leader_steps").asInt()).isPositive();
        assertThat(report.get("exclusive_steps").asInt()).isPositive();
        assertThat(report.get("seed").asLong()).isEqualTo(16);
        assertThat(report.get("session_timeout_ms").asLong()).isEqualTo(4000);
        List<String> kinds = new ArrayList<>();
        for (JsonNode f : report.get("faults")) {
            kinds.add(f.get("kind").asText());
            assertThat(f.get("target").asText()).isNotBlank();
            assertThat(f.get("at_ms").asLong()).isNotNegative();
        }
        assertThat(kinds).containsAll(KINDS);
        for (String kind : KINDS) {
            assertThat(report.get("fault_counts").get(kind).asInt()).as(kind).isPositive();
        }
        // A pause or a partition that the session outlived would be a fault in name only.
        assertThat(report.get("faults_without_effect").asInt()).as("faults: %s", report.get("faults")).isZero();
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
