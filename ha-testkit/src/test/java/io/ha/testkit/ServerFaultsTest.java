package io.ha.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.session.EventKind;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Server faults on a real three-server TestingCluster. */
class ServerFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /**
     * Long enough that a member outlives the loss of its server (and an election, when it was the leader's) on a
     * loaded machine: with the default 4 s the session expired in 1 of 25 runs at a load average of 20.
     */
    private static final Duration SESSION = Duration.ofSeconds(10);

    @RegisterExtension
    static final HaTestKit kit = HaTestKit.builder().servers(3).sessionTimeout(SESSION).build();

    @Test
    void killingTheServerOfAMemberKeepsItsSession() throws Exception {
        TestMember a = kit.member("a");
        long before = a.sessionId();

        int killed = kit.killServerOf(a);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.connectedServer()).isPresent().isNotEqualTo(java.util.OptionalInt.of(killed));
            assertThat(a.cluster().timeline().ofKind(EventKind.RECONNECTED)).isNotEmpty();
        });
        assertThat(a.sessionId()).isEqualTo(before);
        assertThat(kit.restartServer(killed)).isTrue();
    }

    @Test
    void writesFailWithoutQuorumAndSucceedOnceItIsBack() throws Exception {
        CuratorFramework client = kit.register(CuratorFrameworkFactory.builder()
                .connectString(kit.directConnectString()).sessionTimeoutMs(4000).connectionTimeoutMs(1000)
                .retryPolicy(new RetryOneTime(100)).build());
        client.start();
        client.create().forPath("/before");

        kit.loseQuorum();
        assertThatThrownBy(() -> client.create().forPath("/during")).isInstanceOf(Exception.class);

        kit.regainQuorum();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> client.create().orSetData().forPath("/after"));
        assertThat(client.checkExists().forPath("/during")).isNull();
    }
}
