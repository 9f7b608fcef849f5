package io.ha.agent.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * The write rate of one plain ZooKeeper client on the server: what any queue built on ZooKeeper is measured against.
 * Each method creates nodes under a fresh parent and returns operations per second.
 */
final class ZkCreateBench implements AutoCloseable {
    private final ZooKeeper zk;

    private ZkCreateBench(ZooKeeper zk) {
        this.zk = zk;
    }

    static ZkCreateBench connect(String connectString, int sessionTimeoutMs) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, sessionTimeoutMs, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(15, TimeUnit.SECONDS)) {
            zk.close();
            throw new BenchException("raw ZooKeeper client could not connect to " + connectString + " in 15 s");
        }
        return new ZkCreateBench(zk);
    }

    private String parent(String path) throws Exception {
        StringBuilder sofar = new StringBuilder();
        for (String part : path.substring(1).split("/")) {
            sofar.append('/').append(part);
            try {
                zk.create(sofar.toString(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException e) {
                // Made by an earlier step of the run.
            }
        }
        return path;
    }

    /** One create at a time, each waiting for its answer: the round trip plus the server's log sync. */
    double syncCreates(String path, int n, byte[] data) throws Exception {
        String dir = parent(path);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            zk.create(dir + "/n" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        return n / seconds(t0);
    }

    /** Creates sent without waiting, at most {@code window} outstanding: one client's pipelined limit. */
    double asyncCreates(String path, int n, byte[] data, int window) throws Exception {
        String dir = parent(path);
        Semaphore slots = new Semaphore(window);
        CountDownLatch done = new CountDownLatch(n);
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            slots.acquire();
            zk.create(dir + "/n" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                    (rc, p, ctx, name) -> {
                        if (rc != KeeperException.Code.OK.intValue()) {
                            failed.incrementAndGet();
                        }
                        slots.release();
                        done.countDown();
                    }, null);
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new BenchException("pipelined creates did not finish in 120 s");
        }
        double rate = n / seconds(t0);
        if (failed.get() > 0) {
            throw new BenchException(failed.get() + " of " + n + " pipelined creates failed");
        }
        return rate;
    }

    /** Creates in {@code multi()} transactions of {@code batch}, one at a time: the batched write limit. */
    double multiCreates(String path, int n, int batch, byte[] data) throws Exception {
        String dir = parent(path);
        long t0 = System.nanoTime();
        for (int from = 0; from < n; from += batch) {
            List<Op> ops = new ArrayList<>(batch);
            for (int i = from; i < Math.min(n, from + batch); i++) {
                ops.add(Op.create(dir + "/n" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            }
            zk.multi(ops);
        }
        return n / seconds(t0);
    }

    /** One getData at a time: the round trip without a log sync. */
    double syncReads(String path, int n) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            zk.getData(path, false, null);
        }
        return n / seconds(t0);
    }

    private static double seconds(long t0) {
        return Math.max(1, System.nanoTime() - t0) / 1e9;
    }

    @Override
    public void close() {
        try {
            zk.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
