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
 * {@code ha-bench peers --quick} for the coordination sections ({@code locks}, {@code scale}, {@code failover}),
 * one section per test: each runs to the end with small sizes (scale: 2 and 8 members; failover: one trial of each
 * kind, four agent processes) and writes its keys. No figure is asserted beyond
 * being there and positive (the machine is shared; the full run is {@code bin/ha-bench peers}).
 */
class PeersCoordinationSmokeTest {
    @TempDir
    Path dir;

    @Test
    void locksSectionWritesLatenciesThroughputsAndTheirRatio() throws Exception {
        JsonNode json = run("locks");
        for (String key : List.of("lock_uncontended_p50_us", "raw_mutex_uncontended_p50_us", "lock_vs_raw_mutex",
                "lock_contended_per_s", "raw_mutex_contended_per_s")) {
            assertThat(json.path(key).asDouble()).as(key).isPositive();
        }
        assertThat(json.path("target_lock_vs_raw_mutex_met").isBoolean()).isTrue();
    }

    @Test
    void scaleSectionWritesRateCpuAndServerRequestsAtEachSize() throws Exception {
        JsonNode json = run("scale");
        for (int members : List.of(2, 8)) {
            for (String figure : List.of("tasks_per_s", "cpu_us_per_task", "dispatcher_cpu_us_per_task",
                    "server_requests_per_task", "server_txns_per_task")) {
                String key = "scale_" + members + "_" + figure;
                assertThat(json.path(key).asDouble()).as(key).isPositive();
            }
        }
        assertThat(json.path("cost_ratio_8_vs_2_agents").asDouble()).isPositive();
        assertThat(json.path("server_requests_ratio_8_vs_2_agents").asDouble()).isPositive();
    }

    @Test
    void failoverSectionWritesTheTimesOfEachKindBesideTheSessionTimeout() throws Exception {
        JsonNode json = run("failover");
        for (String key : List.of("leader_failover_kill9_p50_ms", "leader_failover_kill9_max_ms",
                "agent_kill9_reassign_p50_ms", "agent_kill9_reassign_max_ms", "leader_failover_graceful_p50_ms",
                "leader_failover_graceful_max_ms", "session_timeout_ms")) {
            assertThat(json.path(key).asDouble()).as(key).isPositive();
        }
        assertThat(json.path("target_leader_failover_kill9_met").isBoolean()).isTrue();
        assertThat(json.path("target_leader_failover_graceful_met").isBoolean()).isTrue();
    }

    private JsonNode run(String sections) throws Exception {
        Path file = dir.resolve("peers.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PeerOptions options = PeersBenchmark.parse(List.of("--quick", "--tasks", "200", "--sections", sections,
                "--json", file.toString()));
        try {
            new PeersBenchmark(options, out).run();
        } finally {
            System.out.print(bytes.toString(StandardCharsets.UTF_8));
        }
        return new ObjectMapper().readTree(file.toFile());
    }
}
