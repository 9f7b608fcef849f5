package io.ha.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ha-bench peers --quick} with tiny sizes: every section runs to the end and writes its keys, positive. No
 * figure is asserted (the machine is shared; the full run is {@code bin/ha-bench peers}).
 */
class PeersBenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    void haSectionWritesItsRateAsJson() throws Exception {
        JsonNode json = run("ha");
        assertThat(json.path("ha_tasks_per_s").asDouble()).isPositive();
        assertThat(json.path("ha_cpu_ms_per_task").asDouble()).isPositive();
        assertThat(json.path("options").path("sections").get(0).asText()).isEqualTo("ha");
    }

    private JsonNode run(String sections) throws Exception {
        Path file = dir.resolve("peers.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PeerOptions options = PeersBenchmark.parse(List.of("--quick", "--tasks", "200", "--workers", "2",
                "--concurrency", "4", "--sections", sections, "--json", file.toString()));
        new PeersBenchmark(options, out).run();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("figure", "ha_tasks_per_s");
        return new ObjectMapper().readTree(file.toFile());
    }
}
