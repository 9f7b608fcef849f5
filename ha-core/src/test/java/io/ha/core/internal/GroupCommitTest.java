package io.ha.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GroupCommitTest extends ZkTestBase {
    private CuratorFramework client;
    private GroupCommit commits;

    @BeforeEach
    void connect() throws Exception {
        client = closeLater(CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100)));
        client.start();
        client.blockUntilConnected();
        client.create().forPath("/g");
        commits = closeLater(new GroupCommit(client, "test-commit"));
    }

    private CompletableFuture<List<CuratorTransactionResult>> createPair(int i) throws Exception {
        List<CuratorOp> ops = List.of(
                client.transactionOp().create().forPath("/g/a" + i, ("a" + i).getBytes(StandardCharsets.UTF_8)),
                client.transactionOp().create().forPath("/g/b" + i));
        return commits.submit(ops);
    }

    @Test
    void manyUnitsAreAppliedInFewerTransactionsEachWithItsOwnResults() throws Exception {
        List<CompletableFuture<List<CuratorTransactionResult>>> futures = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            futures.add(createPair(i));
        }
        for (int i = 0; i < futures.size(); i++) {
            List<CuratorTransactionResult> results = futures.get(i).get(30, TimeUnit.SECONDS);
            assertThat(results).extracting(CuratorTransactionResult::getForPath).containsExactly("/g/a" + i, "/g/b" + i);
        }
        assertThat(client.getChildren().forPath("/g")).hasSize(4000);
        assertThat(new String(client.getData().forPath("/g/a1999"), StandardCharsets.UTF_8)).isEqualTo("a1999");
        assertThat(commits.units()).isEqualTo(2000);
        // Queued faster than one transaction commits: they went together (1000 operations at most per multi()).
        assertThat(commits.transactions()).isLessThan(2000).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aFailingUnitFailsAloneWithItsOwnErrorAndTheOthersAreApplied() throws Exception {
        client.create().forPath("/g/taken");
        client.create().forPath("/g/versioned");
        client.setData().forPath("/g/versioned", new byte[1]); // version 1
        List<CompletableFuture<List<CuratorTransactionResult>>> futures = new ArrayList<>();
        for (int round = 0; round < 50; round++) {
            futures.add(createPair(round));
        }
        CompletableFuture<List<CuratorTransactionResult>> exists = commits.submit(List.of(
                client.transactionOp().create().forPath("/g/new-1"),
                client.transactionOp().create().forPath("/g/taken")));
        CompletableFuture<List<CuratorTransactionResult>> badVersion = commits.submit(List.of(
                client.transactionOp().setData().withVersion(0).forPath("/g/versioned", new byte[2])));
        for (int round = 50; round < 100; round++) {
            futures.add(createPair(round));
        }

        for (CompletableFuture<List<CuratorTransactionResult>> f : futures) {
            assertThat(f.get(30, TimeUnit.SECONDS)).hasSize(2);
        }
        assertThatThrownBy(() -> exists.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(KeeperException.NodeExistsException.class).hasMessageContaining("/g/taken");
        assertThatThrownBy(() -> badVersion.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(KeeperException.BadVersionException.class);
        // Atomic per unit: the refused unit's other create was not applied.
        assertThat(client.checkExists().forPath("/g/new-1")).isNull();
        assertThat(client.checkExists().forPath("/g/versioned").getVersion()).isEqualTo(1);
        assertThat(client.getChildren().forPath("/g")).hasSize(202);
    }

    @Test
    void unitsFailClearlyOnceClosed() throws Exception {
        commits.close();
        assertThatThrownBy(() -> createPair(1).get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(client.checkExists().forPath("/g/a1")).isNull();
    }

    @Test
    void connectionLossFailsTheUnitsInFlightAndLaterUnitsGoThroughAfterReconnecting() throws Exception {
        assertThat(createPair(0).get(30, TimeUnit.SECONDS)).hasSize(2);
        server.stop();
        CompletableFuture<List<CuratorTransactionResult>> during = createPair(1);
        assertThatThrownBy(() -> during.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(KeeperException.class);
        server.restart();
        client.blockUntilConnected(30, TimeUnit.SECONDS);
        assertThat(createPair(2).get(30, TimeUnit.SECONDS)).hasSize(2);
        assertThat(client.checkExists().forPath("/g/a2")).isNotNull();
    }
}
