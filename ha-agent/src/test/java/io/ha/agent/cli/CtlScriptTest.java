package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ha.core.cluster.HaCluster;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real launcher, {@code bin/ha-ctl}, as a separate process against this test's server: exit codes, stdout with
 * command output only (no log lines), stdin payloads. It runs what the build made ({@code HA_CTL_SKIP_BUILD=1}: a
 * test must not start a nested Maven build), so it is skipped when {@code ha-agent/target/lib} is missing.
 */
class CtlScriptTest extends CtlTestBase {

    private static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin/ha-ctl"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    private Result run(Path root, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/ha-ctl").toString()));
        command.addAll(List.of(args));
        File out = File.createTempFile("ha-ctl-out", ".txt");
        File err = File.createTempFile("ha-ctl-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
        pb.environment().keySet().removeIf(k -> k.startsWith("HA_"));
        pb.environment().put("HA_CTL_SKIP_BUILD", "1");
        pb.environment().put("HA_ZK_CONNECT", server.getConnectString());
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bin/ha-ctl ended").isTrue();
        try {
            return new Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
        } finally {
            Files.delete(out.toPath());
            Files.delete(err.toPath());
        }
    }

    @Test
    void launcherRunsCommandsWithCleanStdoutAndExitCodes() throws Exception {
        Path root = repoRoot();
        assumeTrue(root != null && Files.isDirectory(root.resolve("ha-agent/target/lib"))
                        && Files.isRegularFile(root.resolve("ha-agent/target/classes/io/ha/agent/cli/CtlMain.class")),
                "skipped: ha-agent/target/lib is missing; build first with 'mvn -B -DskipTests install' "
                        + "(bin/ha-ctl runs from ha-agent/target/classes and ha-agent/target/lib)");
        HaCluster a = echoMember("agent-a");

        Result status = run(root, "", "--cluster", "test", "status", "--json").exits(0);
        assertThat(status.err()).isEmpty();
        assertThat(status.json().get("agents").get(0).get("id").asText()).isEqualTo("agent-a");

        Result submit = run(root, "from stdin", "--cluster", "test", "submit", "--type", "echo", "-").exits(0);
        assertThat(submit.out()).matches("[0-9a-f]{11}-[0-9a-f]{8,}\n");
        assertThat(submit.err()).isEmpty();
        assertThat(a.taskQueue().await(submit.out().trim(), WAIT).result())
                .isEqualTo("echo:from stdin".getBytes(StandardCharsets.UTF_8));

        Result bogus = run(root, "", "--cluster", "test", "tasks", "--state", "BOGUS").exits(2);
        assertThat(bogus.out()).isEmpty();
        assertThat(bogus.err()).contains("expected one of PENDING, ASSIGNED");
    }
}
