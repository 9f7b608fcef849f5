package io.ha.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ha-bench peers --quick} with tiny sizes for the {@code ha}, {@code dbscheduler} and {@code quartz}
 * sections: each runs to the end and writes its keys, positive, and the ratios between them. No figure is asserted
 * (the machine is shared; the full run is {@code bin/ha-bench peers}). Without a PostgreSQL server on the machine the
 * peers are skipped: the test then fails under CI ({@code CI=true}, where .ci/run installs it) and is skipped, with
 * the reason, anywhere else.
 */
class PeersBenchSmokeTest {
    private static final List<String> PEER_KEYS = List.of("dbscheduler_fetch_per_s",
            "dbscheduler_lock_and_fetch_per_s", "quartz_jdbc_per_s", "ha_vs_dbscheduler_lock_and_fetch",
            "ha_vs_quartz_jdbc", "dbscheduler_lock_and_fetch_server_cpu_ms_per_task");

    @TempDir
    Path dir;

    @Test
    void everySectionWritesItsFiguresAndTheRatiosAsJson() throws Exception {
        Optional<String> noPostgres = LocalPostgres.unavailable();
        if (noPostgres.isPresent() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but PostgreSQL cannot run here: " + noPostgres.get());
        }
        JsonNode json = run("ha,dbscheduler,quartz");
        assertThat(json.path("ha_tasks_per_s").asDouble()).isPositive();
        assertThat(json.path("ha_tasks_jvm_cpu_ms_per_task").asDouble()).isPositive();
        assertThat(json.path("options").path("sections").toString()).contains("ha", "dbscheduler", "quartz");
        if (noPostgres.isPresent()) {
            assertThat(json.path("skipped").path("dbscheduler").asText()).isEqualTo(noPostgres.get());
            Assumptions.abort("db-scheduler and Quartz skipped: " + noPostgres.get());
        }
        for (String key : PEER_KEYS) {
            if (key.endsWith("_cpu_ms_per_task")) {
                // Read from /proc in clock ticks (10 ms): a quick run's few tasks may cost the server less than one.
                assertThat(json.has(key)).as(key).isTrue();
                assertThat(json.path(key).asDouble()).as(key).isNotNegative();
            } else {
                assertThat(json.path(key).asDouble()).as(key).isPositive();
            }
        }
        assertThat(json.path("skipped").isEmpty()).isTrue();
    }

    /**
     * The three ZooKeeper servers and the two agents are processes of their own: the section needs a JDK (it
     * compiles the agents' no-op plug-in), which every build has.
     */
    @Test
    void ensembleSectionRunsAgentProcessesOnThreeServersAndWritesItsFigures() throws Exception {
        JsonNode json = run("ensemble", "--tasks", "100", "--workers", "2", "--concurrency", "2");
        for (String key : List.of("ensemble_ha_tasks_per_s", "ensemble_zk_sync_creates_per_s",
                "ensemble_ha_vs_sync_creates", "ensemble_ha_servers_cpu_ms_per_task",
                "ensemble_ha_agents_cpu_ms_per_task", "ensemble_ha_zk_txns_per_task",
                "ensemble_ha_zk_requests_per_task")) {
            assertThat(json.path(key).asDouble()).as(key).isPositive();
        }
        assertThat(json.path("ensemble_servers").asInt()).isEqualTo(3);
        assertThat(json.path("skipped").isEmpty()).isTrue();
    }

    /**
     * Runs the real bin/ha-ctl as a script would (as CtlScriptTest does, only what the build made): skipped when
     * ha-agent/target/lib is missing (the test phase of a first build, before the package phase).
     */
    @Test
    void ctlSectionTimesTheRealLauncherWithAndWithoutItsArchive() throws Exception {
        Optional<Path> launcher = CtlPeerSection.launcher();
        Assumptions.assumeTrue(launcher.isPresent() && Files.isDirectory(launcher.get().getParent().getParent()
                .resolve("ha-agent/target/lib")), "bin/ha-ctl or ha-agent/target/lib missing: build first");
        JsonNode json = run("ctl");
        for (String key : List.of("ctl_status_median_ms", "ctl_status_p90_ms", "ctl_submit_median_ms",
                "ctl_submit_p90_ms", "ctl_status_no_cds_median_ms", "ctl_submit_no_cds_median_ms")) {
            assertThat(json.path(key).asDouble()).as(key).isPositive();
        }
        assertThat(json.path("ctl_cds_archive_used").isBoolean()).isTrue();
        assertThat(json.path("target_ctl_status_met").isBoolean()).isTrue();
    }

    private JsonNode run(String sections) throws Exception {
        return run(sections, "--tasks", "200", "--workers", "2", "--concurrency", "4");
    }

    private JsonNode run(String sections, String... sizes) throws Exception {
        Path file = dir.resolve("peers.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        List<String> args = new java.util.ArrayList<>(List.of("--quick", "--sections", sections, "--json",
                file.toString()));
        args.addAll(List.of(sizes));
        PeerOptions options = PeersBenchmark.parse(args);
        try {
            new PeersBenchmark(options, out).run();
        } finally {
            System.out.print(bytes.toString(StandardCharsets.UTF_8));
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("figure");
        return new ObjectMapper().readTree(file.toFile());
    }
}
