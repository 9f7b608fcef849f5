package io.ha.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** The sample as bin/ha-sample spring runs it: two Spring Boot JVMs, the leader stopped, the report moves. */
class SpringSampleTest {
    @Test
    void theReportMovesToTheOtherInstanceWhenTheLeaderStops() throws Exception {
        assertThat(SpringSample.run(null)).isZero();
    }

    /**
     * On a given ZooKeeper the sample works with credentials of its own in a chroot of its own, and removes it:
     * nothing is left, and nothing was made outside it (no /ha, which may belong to others).
     */
    @Test
    void onAGivenZooKeeperItLeavesNothingBehind() throws Exception {
        try (TestingServer server = new TestingServer(true);
             CuratorFramework zk = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100))) {
            zk.start();
            assertThat(zk.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
            assertThat(SpringSample.run(server.getConnectString())).isZero();
            assertThat(zk.getChildren().forPath("/")).containsOnly("zookeeper");
        }
    }
}
