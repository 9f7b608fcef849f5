package io.ha.core.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.HaCluster;
import io.ha.core.session.EventKind;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.proxy.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

class MembershipTest extends ZkTestBase {

    @Test
    void joinAndLeaveAreSeenByOthers() throws Exception {
        HaCluster a = member("a");
        List<String> events = new CopyOnWriteArrayList<>();
        a.membership().addListener(new MembershipListener() {
            @Override
            public void joined(AgentInfo agent) {
                events.add("joined " + agent.id());
            }

            @Override
            public void left(AgentInfo agent) {
                events.add("left " + agent.id());
            }
        });
        HaCluster b = member("b", builder -> builder.capacity(3));

        assertThat(a.membership().awaitSize(2, WAIT)).isTrue();
        AgentInfo seen = a.membership().get("b").orElseThrow();
        assertThat(seen.capacity()).isEqualTo(3);
        assertThat(seen.pid()).isEqualTo(ProcessHandle.current().pid());

        b.close();
        assertThat(a.membership().awaitSize(1, WAIT)).isTrue();
        assertThat(a.membership().list()).extracting(AgentInfo::id).containsExactly("a");
        await().atMost(WAIT).until(() -> events.contains("left b"));
        assertThat(events).containsSubsequence("joined b", "left b");
        assertThat(a.timeline().ofKind(EventKind.LEFT)).anySatisfy(e -> assertThat(e.detail()).contains("b"));
    }

    @Test
    void nodeOfAnUnreachableAgentDisappearsWithinTheSessionTimeout() throws Exception {
        HaCluster a = member("a");
        TcpProxy proxy = closeLater(new TcpProxy(server.getPort()));
        member("b", builder -> builder.connectString(proxy.connectString()));
        assertThat(a.membership().awaitSize(2, WAIT)).isTrue();

        long cut = System.nanoTime();
        proxy.partition();
        assertThat(a.membership().awaitSize(1, WAIT)).isTrue();
        Duration gone = Duration.ofNanos(System.nanoTime() - cut);

        // The server expires the session one session timeout after it last heard from b; allow ZooKeeper's tick
        // granularity and the watch round trip on top.
        assertThat(gone).isLessThan(SESSION.multipliedBy(2));
        assertThat(a.membership().isAlive("b")).isFalse();
    }

    @Test
    void agentReRegistersByItselfAfterSessionExpiry() throws Exception {
        HaCluster a = member("a");
        HaCluster b = member("b");
        assertThat(a.membership().awaitSize(2, WAIT)).isTrue();
        long oldSession = b.connectionGuard().sessionId();
        List<String> events = new CopyOnWriteArrayList<>();
        a.membership().addListener(new MembershipListener() {
            @Override
            public void joined(AgentInfo agent) {
                events.add("joined " + agent.id());
            }

            @Override
            public void left(AgentInfo agent) {
                events.add("left " + agent.id());
            }
        });

        expireSessionOnServer(b);

        // The listener may still see b's first join (delivered just after it was added): wait for leave then join.
        await().atMost(WAIT).until(() -> {
            int left = events.indexOf("left b");
            return left >= 0 && events.subList(left, events.size()).contains("joined b");
        });
        await().atMost(WAIT).untilAsserted(() -> {
            Stat stat = a.curator().checkExists().forPath(paths(a).agent("b"));
            assertThat(stat).isNotNull();
            assertThat(stat.getEphemeralOwner()).isEqualTo(b.connectionGuard().sessionId()).isNotEqualTo(oldSession);
        });
        assertThat(b.timeline().ofKind(EventKind.LOST)).isNotEmpty();
        assertThat(b.timeline().ofKind(EventKind.REGISTERED)).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void metadataUpdatesAreSeenByOthers() throws Exception {
        HaCluster a = member("a");
        HaCluster b = member("b");
        List<AgentInfo> updates = new CopyOnWriteArrayList<>();
        a.membership().addListener(new MembershipListener() {
            @Override
            public void updated(AgentInfo agent) {
                updates.add(agent);
            }
        });
        assertThat(a.membership().awaitSize(2, WAIT)).isTrue();

        AgentInfo changed = b.registry().info().withCapacity(7).withLabels(java.util.Set.of("zone=eu", "gpu"));
        b.registry().update(changed);

        await().atMost(WAIT).untilAsserted(() -> {
            AgentInfo seen = a.membership().get("b").orElseThrow();
            assertThat(seen.capacity()).isEqualTo(7);
            assertThat(seen.labels()).containsExactlyInAnyOrder("zone=eu", "gpu");
        });
        assertThat(updates).extracting(AgentInfo::id).contains("b");
    }

    @Test
    void awaitSizeGivesUpAfterTheTimeout() throws Exception {
        HaCluster a = member("a");
        assertThat(a.membership().awaitSize(2, Duration.ofMillis(300))).isFalse();
        assertThat(a.membership().size()).isEqualTo(1);
    }

    @Test
    void corruptAgentNodeIsLeftOutOfTheViewWithoutHidingOthers() throws Exception {
        HaCluster a = member("a");
        a.curator().create().forPath(paths(a).agent("garbage"), "{not json".getBytes(StandardCharsets.UTF_8));
        member("b");

        assertThat(a.membership().awaitSize(2, WAIT)).isTrue();
        assertThat(a.membership().list()).extracting(AgentInfo::id).containsExactly("a", "b");
    }
}
