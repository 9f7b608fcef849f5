package io.ha.core.internal;

import io.ha.core.HaException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Many reads at once: issued back to back without waiting (ZooKeeper pipelines them on the one connection) and
 * collected in order, which turns N round trips into about one; or sent as one request, which also saves the server
 * and the client the work of N requests and N responses.
 */
public final class AsyncReads {
    private AsyncReads() {
    }

    /** The outcome of one read; {@code code} is a ZooKeeper result code (OK, NONODE, ...). */
    public record Result(String path, KeeperException.Code code, byte[] data, Stat stat, List<String> children) {
        public boolean ok() {
            return code == KeeperException.Code.OK;
        }
    }

    /** getData of each path. */
    public static List<Result> getData(CuratorFramework client, List<String> paths, long timeoutMs) throws Exception {
        return run(paths, timeoutMs, (path, callback) -> client.getData().inBackground(callback).forPath(path));
    }

    /** exists (stat only; data null) of each path. */
    public static List<Result> exists(CuratorFramework client, List<String> paths, long timeoutMs) throws Exception {
        return run(paths, timeoutMs, (path, callback) -> client.checkExists().inBackground(callback).forPath(path));
    }

    /** getChildren of each path. */
    public static List<Result> children(CuratorFramework client, List<String> paths, long timeoutMs)
            throws Exception {
        return run(paths, timeoutMs, (path, callback) -> client.getChildren().inBackground(callback).forPath(path));
    }

    /**
     * getChildren of each of {@code paths}, all below {@code root}: in one read-only {@code multi} when the whole tree
     * under {@code root} holds at most {@code maxNodes} nodes (counted first with one {@code getAllChildrenNumber}),
     * otherwise pipelined as {@link #children}. One request instead of one per path spares the server and the client
     * the work of each (a new leader lists 512 buckets: a few milliseconds instead of tens warm, hundreds cold).
     * Results as {@link #children}, except that a read of the multi carries no {@code stat}; a count or multi that
     * fails as a whole (connection loss, a server without multi reads) falls back to the pipelined reads.
     *
     * <p>The count bounds the answer, not exactly: the caller picks {@code maxNodes} so that that many names stay far
     * below the client's packet limit, leaving room for nodes added between the count and the read.
     */
    public static List<Result> childrenOfSmallTree(CuratorFramework client, String root, List<String> paths,
                                                   int maxNodes, long timeoutMs) throws Exception {
        try {
            ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
            if (zk.getAllChildrenNumber(root) <= maxNodes) {
                List<Result> together = childrenTogether(zk, paths, timeoutMs);
                if (together != null) {
                    return together;
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // The count failed (no such root, no connection yet, an old server): the pipelined reads, with Curator's
            // retries, say what holds.
        }
        return children(client, paths, timeoutMs);
    }

    /** The multi of {@link #childrenOfSmallTree}, or null when it failed as a whole. */
    private static List<Result> childrenTogether(ZooKeeper zk, List<String> paths, long timeoutMs) throws Exception {
        List<Op> ops = new ArrayList<>(paths.size());
        paths.forEach(path -> ops.add(Op.getChildren(path)));
        CompletableFuture<List<OpResult>> answer = new CompletableFuture<>();
        zk.multi(ops, (rc, path, ctx, opResults) -> answer.complete(opResults), null);
        List<OpResult> opResults;
        try {
            opResults = answer.get(timeoutMs + paths.size() * 10L, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        }
        if (opResults == null || opResults.size() != paths.size()) {
            return null;
        }
        List<Result> out = new ArrayList<>(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            OpResult op = opResults.get(i);
            if (op instanceof OpResult.GetChildrenResult children) {
                out.add(new Result(paths.get(i), KeeperException.Code.OK, null, null, children.getChildren()));
            } else if (op instanceof OpResult.ErrorResult error) {
                // An empty list, as Curator's pipelined read gives for a failed one.
                out.add(new Result(paths.get(i), KeeperException.Code.get(error.getErr()), null, null, List.of()));
            } else {
                return null;
            }
        }
        return out;
    }

    /**
     * getData of each path in one request (ZooKeeper's read-only {@code multi}, servers 3.6+): the server reads them
     * all from one view of its data and answers them in one packet, each with its own result code (a missing node
     * fails only its own read). {@code then} gets the results, in order, on {@code executor}. When the request as a
     * whole fails (connection loss, no connection yet), every result carries that code; nothing is retried here.
     * Results that {@code executor} refuses (it is shut down) are dropped.
     *
     * <p>The caller bounds the answer: all of the nodes' data together must stay below the client's incoming packet
     * limit ({@code jute.maxbuffer} of the client), or the client drops its connection.
     */
    public static void getDataTogetherThen(CuratorFramework client, List<String> paths, Executor executor,
                                           Consumer<List<Result>> then) {
        List<Op> ops = new ArrayList<>(paths.size());
        paths.forEach(path -> ops.add(Op.getData(path)));
        AsyncCallback.MultiCallback callback = (rc, path, ctx, opResults) -> {
            try {
                executor.execute(() -> then.accept(toResults(paths, rc, opResults)));
            } catch (RejectedExecutionException e) {
                // The caller is shutting down its executor: nobody is left to take the results.
            }
        };
        try {
            client.getZookeeperClient().getZooKeeper().multi(ops, callback, null);
        } catch (Exception e) {
            // Not connected long enough for Curator to hand out the handle: the same as a lost connection.
            callback.processResult(KeeperException.Code.CONNECTIONLOSS.intValue(), null, null, null);
        }
    }

    private static List<Result> toResults(List<String> paths, int rc, List<OpResult> opResults) {
        List<Result> out = new ArrayList<>(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            // With results, rc is only the first failed read's code (the client's summary): each result counts.
            OpResult op = opResults != null && i < opResults.size() ? opResults.get(i) : null;
            if (op instanceof OpResult.GetDataResult data) {
                out.add(new Result(path, KeeperException.Code.OK, data.getData(), data.getStat(), null));
            } else if (op instanceof OpResult.ErrorResult error) {
                out.add(new Result(path, KeeperException.Code.get(error.getErr()), null, null, null));
            } else {
                KeeperException.Code code = opResults == null && rc != KeeperException.Code.OK.intValue()
                        ? KeeperException.Code.get(rc) : KeeperException.Code.MARSHALLINGERROR;
                out.add(new Result(path, code, null, null, null));
            }
        }
        return out;
    }

    private interface Issuer {
        void issue(String path, BackgroundCallback callback) throws Exception;
    }

    private static List<Result> run(List<String> paths, long timeoutMs, Issuer issuer) throws Exception {
        AtomicReferenceArray<Result> results = new AtomicReferenceArray<>(paths.size());
        CountDownLatch done = new CountDownLatch(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            int index = i;
            issuer.issue(paths.get(i), (c, event) -> {
                results.set(index, toResult(paths.get(index), event));
                done.countDown();
            });
        }
        // Large scans (hundreds of buckets of thousands of names) take time on a loaded server: allow a second per
        // hundred paths on top of the caller's timeout.
        long allowed = timeoutMs + paths.size() * 10L;
        if (!done.await(allowed, TimeUnit.MILLISECONDS)) {
            throw new HaException(paths.size() - done.getCount() + " of " + paths.size() + " pipelined ZooKeeper "
                    + "reads (first " + (paths.isEmpty() ? "-" : paths.get(0)) + ") answered within " + allowed
                    + " ms; the connection or the server is overloaded");
        }
        List<Result> out = new ArrayList<>(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            out.add(results.get(i));
        }
        return out;
    }

    private static Result toResult(String path, CuratorEvent event) {
        KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
        return new Result(path, code, event.getData(), event.getStat(), event.getChildren());
    }
}
