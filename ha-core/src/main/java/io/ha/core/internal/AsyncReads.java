package io.ha.core.internal;

import io.ha.core.cluster.HaException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Many reads at once: issued back to back without waiting (ZooKeeper pipelines them on the one connection) and
 * collected in order. Turns N round trips into about one.
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
     * getData of each path without waiting: {@code then} gets the results, in order, on {@code executor} once all
     * have answered (Curator retries each read per its retry policy; a read that fails for good reports its code).
     */
    public static void getDataThen(CuratorFramework client, List<String> paths, Executor executor,
                                   Consumer<List<Result>> then) throws Exception {
        AtomicReferenceArray<Result> results = new AtomicReferenceArray<>(paths.size());
        AtomicInteger left = new AtomicInteger(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            int index = i;
            client.getData().inBackground((c, event) -> {
                results.set(index, toResult(paths.get(index), event));
                if (left.decrementAndGet() == 0) {
                    List<Result> out = new ArrayList<>(paths.size());
                    for (int j = 0; j < paths.size(); j++) {
                        out.add(results.get(j));
                    }
                    then.accept(out);
                }
            }, executor).forPath(paths.get(i));
        }
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
