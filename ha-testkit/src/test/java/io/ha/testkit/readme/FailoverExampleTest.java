package io.ha.testkit.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.leader.LeaderService;
import io.ha.testkit.HaTestKit;
import io.ha.testkit.TestMember;
import io.ha.testkit.check.LeaderLedger;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * README.md's "Testing your service's failover" example, run as written (ReadmeBlockTest checks that the README block
 * is this code), and the same test against leader-only work that ignores the end of its term: the ledger must catch
 * that one, or the example would prove nothing.
 */
class FailoverExampleTest {
    @RegisterExtension
    static final HaTestKit kit = HaTestKit.server();            // a real ZooKeeper server for this class

    @Test
    void oneLeaderAtATimeWhenTheLeadersSessionExpires() throws Exception {
        LeaderLedger ledger = new LeaderLedger();
        LeaderService work = ctx -> {                            // your leader-only work, reporting its terms
            try (LeaderLedger.Interval term = ledger.begin(ctx.agentId(), ctx.epoch())) {
                while (ctx.isLeader()) {
                    Thread.sleep(10);                            // interrupted when the term ends
                }
            }
        };
        TestMember a = kit.member("a", builder -> builder.leaderService("work", work));
        assertThat(a.cluster().leaderElection().awaitLeadership(Duration.ofSeconds(30))).isTrue();
        TestMember b = kit.member("b", builder -> builder.leaderService("work", work));

        a.partition();                                           // cut off past its session: the session expires
        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.intervals().size() == 2); // b's work began
        a.heal();                                                // back with a new session, as a follower

        LeaderLedger.Report report = ledger.check().assertClean(); // never two leaders at once, epochs only grow
        assertThat(report.intervals()).extracting(LeaderLedger.Term::holder).containsExactly("a", "b");
    }

    @Test
    void workThatIgnoresTheEndOfItsTermIsCaught() throws Exception {
        LeaderLedger ledger = new LeaderLedger();
        AtomicBoolean testOver = new AtomicBoolean();
        LeaderService zombie = ctx -> {
            try (LeaderLedger.Interval term = ledger.begin(ctx.agentId(), ctx.epoch())) {
                while (!testOver.get()) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException ignored) {
                        // The bug under test: the work goes on after its term ended.
                    }
                }
            }
        };
        TestMember a = kit.member("a", builder -> builder.leaderService("work", zombie));
        assertThat(a.cluster().leaderElection().awaitLeadership(Duration.ofSeconds(30))).isTrue();
        TestMember b = kit.member("b", builder -> builder.leaderService("work", zombie));
        try {
            a.partition();
            assertThat(b.cluster().leaderElection().awaitLeadership(Duration.ofSeconds(30))).isTrue();
            a.heal();

            await().atMost(Duration.ofSeconds(5)).until(() -> !ledger.check().overlaps().isEmpty());
            LeaderLedger.Report report = ledger.check();
            assertThat(report.isClean()).isFalse();
            assertThat(report.overlaps()).singleElement().satisfies(o -> {
                assertThat(o.first().holder()).isEqualTo("a");
                assertThat(o.second().holder()).isEqualTo("b");
            });
        } finally {
            testOver.set(true);
        }
    }
}
