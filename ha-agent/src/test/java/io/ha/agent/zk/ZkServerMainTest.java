package io.ha.agent.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.agent.AgentProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ZkServerMainTest {
    @TempDir
    Path dir;

    @Test
    void servesOnLoopbackWithBannerAndStopsCleanlyOnSigterm() throws Exception {
        Path data = dir.resolve("zk-data");
        try (AgentProcess zk = AgentProcess.startMain(dir, Map.of(), "io.ha.agent.zk.ZkServerMain",
                "--port", "0", "--data-dir", data.toString())) {
            Pattern ready = Pattern.compile("HA-ZK READY 127\\.0\\.0\\.1:(\\d+)");
            await().atMost(Duration.ofSeconds(40)).until(() -> ready.matcher(zk.stdout()).find() || !zk.isAlive());
            Matcher m = ready.matcher(zk.stdout());
            assertThat(m.find()).as("stdout: %s%nstderr: %s", zk.stdout(), zk.stderr()).isTrue();
            assertThat(zk.stdout()).contains("NOT for production: single server, use a 3- or 5-server ensemble");
            String connect = "127.0.0.1:" + m.group(1);

            try (CuratorFramework client = CuratorFrameworkFactory.newClient(connect, 5000, 5000,
                    new RetryOneTime(100))) {
                client.start();
                assertThat(client.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                client.create().forPath("/hello", "world".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(client.getData().forPath("/hello"), StandardCharsets.UTF_8)).isEqualTo("world");
            }
            assertThat(data.resolve("version-2")).isDirectory();
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(data))).isEqualTo("rwx------");

            zk.terminate();
            assertThat(zk.awaitExit(Duration.ofSeconds(20))).as("exit code; stderr: %s", zk.stderr()).isZero();
            assertThat(zk.stdout()).as("stderr: %s", zk.stderr()).contains("ha-zk: stopped");
        }
    }

    @Test
    void badPortIsAUsageError() throws Exception {
        try (AgentProcess zk = AgentProcess.startMain(dir, Map.of(), "io.ha.agent.zk.ZkServerMain", "--port", "x")) {
            assertThat(zk.awaitExit(Duration.ofSeconds(20))).isEqualTo(2);
            assertThat(zk.stderr()).contains("--port");
        }
    }
}
