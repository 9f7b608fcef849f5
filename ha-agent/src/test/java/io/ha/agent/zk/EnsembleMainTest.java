package io.ha.agent.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.agent.AgentProcess;
import io.ha.process.ChildProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ha-zk --ensemble 3} end to end: the launcher itself when the build made {@code ha-agent/target/lib}
 * (with {@code HA_ZK_SKIP_BUILD=1}: no nested Maven build), else its main class in a child JVM. READY line,
 * a working connect string, {@code --ensemble stop} from another process stops every process, the data is kept.
 */
@Timeout(150)
class EnsembleMainTest {
    private static final Pattern READY = Pattern.compile("HA-ZK READY (\\S+)");

    @TempDir
    Path dir;

    private static Path launcher() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.isRegularFile(d.resolve("bin/ha-zk"))) {
            d = d.getParent();
        }
        if (d == null || !Files.isDirectory(d.resolve("ha-agent/target/lib"))) {
            return null;
        }
        return d.resolve("bin/ha-zk");
    }

    private static ChildProcess run(Path workDir, String... args) throws Exception {
        Path launcher = launcher();
        if (launcher != null) {
            List<String> command = new ArrayList<>(List.of(launcher.toString()));
            command.addAll(List.of(args));
            return ChildProcess.command(command).directory(workDir).dropInheritedEnv("HA_")
                    .env("HA_ZK_SKIP_BUILD", "1").env("HA_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC").start();
        }
        List<String> jvm = new ArrayList<>(List.of("-Xmx128m", "-XX:+UseSerialGC"));
        Path logback = Path.of("..", "conf", "logback.xml").toAbsolutePath().normalize();
        if (Files.exists(logback)) {
            jvm.add("-Dlogback.configurationFile=" + logback);
        }
        return ChildProcess.java(EnsembleMain.class.getName()).jvmOptions(jvm).args(args).directory(workDir).start();
    }

    @Test
    void ensembleOfThreeServesAndStopEndsEveryProcess() throws Exception {
        Path data = dir.resolve("ensemble");
        try (ChildProcess zk = run(dir, "--ensemble", "3", "--data-dir", data.toString(), "--tick-time", "500")) {
            Matcher ready = zk.awaitLine(READY, Duration.ofSeconds(100));
            String connect = ready.group(1);
            assertThat(connect.split(",")).hasSize(3).allMatch(a -> a.matches("127\\.0\\.0\\.1:\\d+"));
            assertThat(String.join("\n", zk.stdout())).contains("ha-zk: server 1 127.0.0.1:").contains(" leader");

            try (CuratorFramework client = CuratorFrameworkFactory.newClient(connect, 5000, 5000,
                    new RetryOneTime(100))) {
                client.start();
                assertThat(client.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
                client.create().forPath("/hello", "world".getBytes(StandardCharsets.UTF_8));
            }
            List<Long> pids = new ArrayList<>();
            pids.add(zk.pid());
            for (int id = 1; id <= 3; id++) {
                pids.add(Long.parseLong(Files.readString(data.resolve("server-" + id + "/server.pid")).strip()));
            }
            assertThat(pids).allMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));

            try (ChildProcess stop = run(dir, "--ensemble", "stop", "--data-dir", data.toString())) {
                assertThat(stop.awaitExit(Duration.ofSeconds(60))).as("%s", stop.lines()).hasValue(0);
                assertThat(String.join("\n", stop.stdout())).contains("stopped the ensemble");
            }
            assertThat(zk.awaitExit(Duration.ofSeconds(30))).as("%s", zk.lines()).hasValue(0);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(pids)
                    .noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)));
            assertThat(data.resolve("server-1/version-2")).isDirectory();
            assertThat(data.resolve("ensemble.pid")).doesNotExist();

            try (ChildProcess again = run(dir, "--ensemble", "stop", "--data-dir", data.toString())) {
                assertThat(again.awaitExit(Duration.ofSeconds(60))).hasValue(0);
                assertThat(String.join("\n", again.stdout())).contains("no ensemble runs");
            }
        }
    }

    @Test
    void sizeOtherThanThreeOrFiveIsAUsageError() throws Exception {
        try (AgentProcess zk = AgentProcess.startMain(dir, Map.of(), EnsembleMain.class.getName(), "--ensemble",
                "4")) {
            assertThat(zk.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(zk.stderr()).contains("3, 5 or stop");
        }
    }
}
