package io.ha.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.zk.Ensemble;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A member keeps to the servers of its connect string unless told to follow the ensemble's reconfiguration. Curator
 * follows {@code /zookeeper/config} by default and swaps the given servers for the addresses the ensemble lists:
 * behind a proxy, NAT or a load balancer those are the wrong ones (the test kit's proxies were bypassed that way).
 */
class EnsembleTrackingTest {
    private Ensemble ensemble;
    private final List<HaCluster> members = new ArrayList<>();

    @BeforeEach
    void startEnsemble() throws Exception {
        ensemble = Ensemble.start(3, ZkTestBase.TICK_MS);
    }

    @AfterEach
    void stopEnsemble() throws Exception {
        members.forEach(HaCluster::close);
        ensemble.close();
    }

    @Test
    void memberKeepsTheServersItWasGivenByDefaultAndFollowsTheEnsembleOnlyWhenAsked() throws Exception {
        String oneServer = "127.0.0.1:" + ensemble.clientPort(0);
        HaCluster fixed = member("fixed", oneServer, b -> { });
        HaCluster following = member("following", oneServer, b -> b.followEnsembleReconfig(true));

        // The follower proves the ensemble's configuration lists all three servers and that Curator acts on it here.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(following.curator().getZookeeperClient().getCurrentConnectionString().split(","))
                        .hasSize(3));
        // The default member connected first, so a tracker of its own would have switched it by now: it has not.
        assertThat(fixed.curator().getZookeeperClient().getCurrentConnectionString()).isEqualTo(oneServer);
        assertThat(fixed.config().followReconfig()).isFalse();
    }

    private HaCluster member(String id, String connectString, java.util.function.Consumer<HaClusterBuilder> more)
            throws Exception {
        HaClusterBuilder b = HaCluster.builder()
                .connectString(connectString)
                .clusterName("test")
                .agentId(id)
                .sessionTimeout(ZkTestBase.SESSION)
                .connectionTimeout(ZkTestBase.CONNECTION);
        more.accept(b);
        HaCluster member = b.build();
        members.add(member);
        member.start();
        return member;
    }
}
