package io.ha.agent.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real three-server ensemble, each server a process: writes, kill -9 of the leader, quorum lost and regained. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalEnsembleTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private LocalEnsemble ensemble;

    @BeforeAll
    void start() throws Exception {
        ensemble = LocalEnsemble.builder(dir).size(3).tickTime(Duration.ofMillis(500)).start();
        ensemble.awaitQuorum(WAIT);
    }

    /** Every test starts from a whole ensemble, whatever the one before it left stopped. */
    @BeforeEach
    void whole() throws Exception {
        ensemble.startAll();
        ensemble.awaitQuorum(WAIT);
    }

    @AfterAll
    void stop() {
        if (ensemble != null) {
            ensemble.close();
        }
    }

    private CuratorFramework client() throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.newClient(ensemble.connectString(), 4000, 3000,
                new RetryOneTime(200));
        c.start();
        assertThat(c.blockUntilConnected(20, TimeUnit.SECONDS)).as("connected to %s", ensemble.modes()).isTrue();
        return c;
    }

    @Test
    void newLeaderServesWritesAfterKillOfTheLeader() throws Exception {
        try (CuratorFramework c = client()) {
            c.create().forPath("/before", "1".getBytes(StandardCharsets.UTF_8));
            int old = ensemble.killLeader().orElseThrow();
            assertThat(ensemble.isRunning(old)).isFalse();

            int leader = ensemble.awaitLeader(WAIT);
            assertThat(leader).isNotEqualTo(old);
            c.create().forPath("/after", "2".getBytes(StandardCharsets.UTF_8));
            assertThat(c.getData().forPath("/before")).isEqualTo("1".getBytes(StandardCharsets.UTF_8));

            ensemble.start(old);
            ensemble.awaitQuorum(WAIT);
            assertThat(ensemble.mode(old)).isEqualTo(ServerProbe.Mode.FOLLOWER);
        }
        assertThat(LocalEnsemble.pidFile(ensemble.layout().server(1))).isRegularFile();
        assertThat(ensemble.layout().server(1).dataDir().resolve("version-2")).isDirectory();
    }

    @Test
    void losesQuorumWhenTwoOfThreeStopAndHealsWhenTheyStartAgain() throws Exception {
        try (CuratorFramework c = client()) {
            c.create().forPath("/kept", "k".getBytes(StandardCharsets.UTF_8));
            List<Integer> stopped = ensemble.loseQuorum();
            assertThat(stopped).hasSize(2);
            assertThat(ensemble.running()).isEqualTo(1);
            int survivor = ensemble.layout().servers().stream().mapToInt(EnsembleLayout.Server::id)
                    .filter(id -> !stopped.contains(id)).findFirst().orElseThrow();
            // The survivor leads on until it has missed its followers for the sync limit (a few ticks).
            await().atMost(WAIT).until(() -> ensemble.mode(survivor) == ServerProbe.Mode.NOT_SERVING);
            assertThatThrownBy(() -> c.create().forPath("/lost", new byte[0])).isInstanceOf(Exception.class);

            ensemble.startAll();
            ensemble.awaitQuorum(WAIT);
            assertThat(c.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
            c.create().forPath("/healed", new byte[0]);
            assertThat(c.getData().forPath("/kept")).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        }
    }
}
