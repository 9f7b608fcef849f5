package io.ha.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.session.ClusterEvent;
import io.ha.core.session.EventKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each fault of a member does what it says, on a real TestingServer. */
class MemberFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final HaTestKit kit = HaTestKit.server();

    @Test
    void expiredSessionIsReplacedAndLeadershipMoves() throws Exception {
        TestMember a = kit.member("a");
        assertThat(a.cluster().leaderElection().awaitLeadership(WAIT)).isTrue();
        TestMember b = kit.member("b");
        long before = a.sessionId();

        a.expireSession();

        assertThat(b.cluster().leaderElection().awaitLeadership(WAIT)).isTrue();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.cluster().timeline().ofKind(EventKind.LOST)).isNotEmpty();
            assertThat(a.sessionId()).isNotIn(0L, before);
        });
    }

    @Test
    void partitionShorterThanTheSessionSuspendsThenReconnectsTheSameSession() throws Exception {
        // A session of its own, long enough that the member notices the cut (after two thirds of it) and reconnects
        // (ZooKeeper waits up to a second before it tries) well before the servers would expire it.
        try (HaTestKit longer = HaTestKit.builder().sessionTimeout(Duration.ofSeconds(8)).build().start()) {
            TestMember a = longer.member("a");
            long before = a.sessionId();

            a.partition();
            await().atMost(WAIT).until(() -> kinds(a).contains(EventKind.SUSPENDED));
            a.heal();

            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(kinds(a)).containsSubsequence(EventKind.SUSPENDED, EventKind.RECONNECTED));
            assertThat(a.cluster().timeline().ofKind(EventKind.LOST)).isEmpty();
            assertThat(a.sessionId()).isEqualTo(before);
        }
    }

    @Test
    void pausePastTheSessionEndsItsSessionAndMovesLeadership() throws Exception {
        TestMember a = kit.member("a");
        assertThat(a.cluster().leaderElection().awaitLeadership(WAIT)).isTrue();
        TestMember b = kit.member("b");
        long before = a.sessionId();

        a.pause(kit.sessionTimeout().plusSeconds(2));

        assertThat(b.cluster().leaderElection().isLeader()).as("b leads once a's session is gone").isTrue();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.sessionId()).isNotIn(0L, before);
            assertThat(a.cluster().leaderElection().isLeader()).isFalse();
            assertThat(a.cluster().membership().list()).hasSize(2);
        });
    }

    @Test
    void droppedReplyCutsTheConnectionAfterTheServerDidTheWork() throws Exception {
        TestMember a = kit.member("a");
        long before = a.sessionId();
        AtomicBoolean writing = new AtomicBoolean();
        a.dropNextReplyWhen(writing::get);

        writing.set(true);
        try {
            a.cluster().curator().create().forPath("/dropped-reply");
        } catch (Exception e) {
            // The retried create finds the node made by the first attempt, whose reply was lost.
            assertThat(e).isInstanceOf(org.apache.zookeeper.KeeperException.NodeExistsException.class);
        }

        assertThat(a.replyDropped()).isTrue();
        assertThat(a.cluster().curator().checkExists().forPath("/dropped-reply")).isNotNull();
        assertThat(kinds(a)).contains(EventKind.SUSPENDED);
        assertThat(a.sessionId()).isEqualTo(before);
    }

    private static List<EventKind> kinds(TestMember member) {
        return member.cluster().timeline().snapshot().stream().map(ClusterEvent::kind).toList();
    }
}
