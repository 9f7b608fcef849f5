package io.ha.samples.masterworker;

import io.ha.core.cluster.HaCluster;
import io.ha.samples.SampleNode;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A worker "machine" of the master-worker sample: joins the cluster and computes {@code n*n} for every task of type
 * {@value MasterWorkerSample#TYPE} it is given. Without the cluster's credentials it is refused at start and exits 1
 * with ZooKeeper's reason.
 */
public final class SquareWorker {
    private SquareWorker() {
    }

    public static void main(String[] args) throws Exception {
        SampleNode node = SampleNode.parse("SquareWorker", args);
        node.exitWithParent();
        HaCluster cluster;
        try {
            // HA: joining registers this process under /agents (an ephemeral znode: it vanishes with the session) and
            // enters the leader election. With credentials every znode is created readable by this identity only.
            cluster = node.clusterBuilder().build().start();
        } catch (Exception e) {
            node.say("REFUSED: cannot join cluster '%s': %s", node.cluster(), e.getMessage());
            System.exit(1);
            return;
        }
        // HA: the handler runs on this worker for each task the leader assigns here (4 at a time). What it returns
        // is stored with the task by the same transaction that ends it, so a result is never recorded twice.
        cluster.worker().register(MasterWorkerSample.TYPE, ctx -> {
            long n = Long.parseLong(ctx.payloadAsString());
            node.say("computed %d*%d = %d (task %s)", n, n, n * n, ctx.taskId());
            return Long.toString(n * n).getBytes(StandardCharsets.UTF_8);
        }, 4);
        node.say("joined cluster '%s' as a worker, pid %d", node.cluster(), ProcessHandle.current().pid());

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            closed.countDown();
        }, "leave-cluster"));
        closed.await();
    }
}
