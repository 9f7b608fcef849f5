package io.ha.core.task.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.HaException;
import io.ha.core.internal.ZPaths;
import io.ha.core.leader.LeaderContext;
import io.ha.core.task.store.TaskStore;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The writer against a real server: every transaction is fenced, and deposition is told apart from other refusals. */
class FencedWriterTest extends ZkTestBase {
    private CuratorFramework client;
    private TaskStore store;
    private ZPaths paths;

    @BeforeEach
    void connect() throws Exception {
        client = closeLater(CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100)));
        client.start();
        paths = new ZPaths("/ha", "fenced");
        store = new TaskStore(client, paths);
        client.create().creatingParentsIfNeeded().forPath(paths.epoch(), bytes("4"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static LeaderContext term(long epoch) {
        return new LeaderContext() {
            @Override
            public long epoch() {
                return epoch;
            }

            @Override
            public String agentId() {
                return "leader";
            }

            @Override
            public boolean isLeader() {
                return true;
            }
        };
    }

    private List<CuratorOp> createNode(FencedWriter writer, String name) throws Exception {
        List<CuratorOp> ops = writer.begin(1);
        ops.add(client.transactionOp().create().forPath(ZKPaths.makePath(paths.clusterRoot(), name)));
        return ops;
    }

    @Test
    void standsDownWhenTheEpochMovedOnBeforeTheTermStarted() throws Exception {
        assertThat(FencedWriter.forTerm(store, term(3), new TermEvents())).isNull();
        assertThat(FencedWriter.forTerm(store, term(4), new TermEvents())).isNotNull();
    }

    @Test
    void aDeposedTermsWriteFailsAsAWholeAndEndsTheTerm() throws Exception {
        FencedWriter writer = FencedWriter.forTerm(store, term(4), new TermEvents());
        assertThat(writer.commit(createNode(writer, "before"))).isEqualTo(KeeperException.Code.OK);

        client.setData().forPath(paths.epoch(), bytes("5")); // a later leader

        assertThatThrownBy(() -> writer.commit(createNode(writer, "after")))
                .isInstanceOf(HaException.class).hasMessageContaining("epoch 4 was deposed");
        assertThat(client.checkExists().forPath(ZKPaths.makePath(paths.clusterRoot(), "after"))).isNull();
    }

    @Test
    void anotherRefusalIsReportedWithItsCodeAndAppliesNothing() throws Exception {
        FencedWriter writer = FencedWriter.forTerm(store, term(4), new TermEvents());
        List<CuratorOp> ops = createNode(writer, "kept-out");
        ops.add(client.transactionOp().delete().forPath(ZKPaths.makePath(paths.clusterRoot(), "missing")));

        assertThat(writer.commit(ops)).isEqualTo(KeeperException.Code.NONODE);
        assertThat(client.checkExists().forPath(ZKPaths.makePath(paths.clusterRoot(), "kept-out"))).isNull();
    }

    @Test
    void inTheBackgroundTheAnswerComesOnTheTermThreadWithTheFailedOperation() throws Exception {
        TermEvents events = new TermEvents();
        FencedWriter writer = FencedWriter.forTerm(store, term(4), events);
        List<CuratorOp> ops = createNode(writer, "kept-out");
        ops.add(client.transactionOp().delete().forPath(ZKPaths.makePath(paths.clusterRoot(), "missing")));
        AtomicReference<CuratorEvent> answer = new AtomicReference<>();

        writer.commitInBackground(ops, answer::set);
        events.runNext(WAIT.toMillis());

        assertThat(answer.get()).isNotNull();
        assertThat(writer.failedOperation(answer.get().getOpResults())).isEqualTo(2);
        assertThat(writer.failedOperation((List<CuratorTransactionResult>) null)).isEqualTo(-1);
    }

    @Test
    void inTheBackgroundDepositionIsDetectedByTheSameRule() throws Exception {
        TermEvents events = new TermEvents();
        FencedWriter writer = FencedWriter.forTerm(store, term(4), events);
        client.setData().forPath(paths.epoch(), bytes("5"));

        writer.commitInBackground(createNode(writer, "after"), event -> writer.failedOperation(event.getOpResults()));

        assertThatThrownBy(() -> events.runNext(WAIT.toMillis())).isInstanceOf(HaException.class)
                .hasMessageContaining("epoch 4 was deposed");
    }

    @Test
    void answersAfterTheTermEndedAreMuted() throws Exception {
        TermEvents events = new TermEvents();
        FencedWriter writer = FencedWriter.forTerm(store, term(4), events);
        events.end();
        AtomicReference<CuratorEvent> answer = new AtomicReference<>();

        writer.commitInBackground(createNode(writer, "late"), answer::set);

        await().atMost(WAIT).until(() -> client.checkExists()
                .forPath(ZKPaths.makePath(paths.clusterRoot(), "late")) != null);
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> {
            events.runQueued();
            return answer.get() == null;
        });
    }
}
