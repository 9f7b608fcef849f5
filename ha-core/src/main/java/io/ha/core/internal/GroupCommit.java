package io.ha.core.internal;

import com.google.common.base.Preconditions;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.jute.Record;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits many small, independent transactions ("units") as one ZooKeeper {@code multi()}: one thread takes every
 * unit queued by the time it is free, so under load N units cost one request and one log sync instead of N, while a
 * lone unit goes at once (no timer, no added latency when idle).
 *
 * <p>Guarantees: each unit is applied atomically or not at all, as if it were committed by itself. A unit whose
 * operation fails (a version check, a missing node) fails alone, with the {@link KeeperException} of that operation,
 * and the other units of its batch are committed again without it. Units must therefore touch distinct nodes. Not
 * guaranteed: when the connection is lost mid-commit, every unit of that batch fails with the connection error and
 * whether it was applied is unknown, as for any single ZooKeeper write. Never block on a unit's future inside
 * another unit's completion callback: callbacks run on the committing thread.
 */
public final class GroupCommit implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** Operations per multi(): large batches amortise the request, small ones stay far below jute.maxbuffer. */
    static final int MAX_OPS = 1000;
    static final int MAX_BYTES = 512 * 1024;

    private record Unit(List<CuratorOp> ops, int bytes, CompletableFuture<List<CuratorTransactionResult>> result) {
    }

    private final CuratorFramework client;
    private final LinkedBlockingQueue<Unit> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private volatile boolean closed;

    public GroupCommit(CuratorFramework client, String threadName) {
        this.client = client;
        this.thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues one unit. The future completes with the unit's own results (in the order of {@code ops}), or
     * exceptionally with the KeeperException of its failed operation, the connection error, or
     * {@link IllegalStateException} once closed.
     */
    public CompletableFuture<List<CuratorTransactionResult>> submit(List<CuratorOp> ops) {
        Preconditions.checkArgument(!ops.isEmpty(), "a transaction needs at least one operation");
        CompletableFuture<List<CuratorTransactionResult>> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new IllegalStateException("group commit is closed"));
            return result;
        }
        queue.add(new Unit(List.copyOf(ops), bytes(ops), result));
        if (closed) {
            failQueued();
        }
        return result;
    }

    /** Multi() requests sent so far (a unit retried after a failed batch counts again). */
    public long transactions() {
        return transactions.get();
    }

    /** Units completed so far, applied or not. */
    public long units() {
        return units.get();
    }

    private void loop() {
        List<Unit> batch = new ArrayList<>();
        while (!closed) {
            Unit first;
            try {
                first = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (first == null) {
                continue;
            }
            batch.clear();
            batch.add(first);
            int ops = first.ops().size();
            int bytes = first.bytes();
            Unit next;
            while ((next = queue.peek()) != null && ops + next.ops().size() <= MAX_OPS
                    && bytes + next.bytes() <= MAX_BYTES) {
                batch.add(queue.poll());
                ops += next.ops().size();
                bytes += next.bytes();
            }
            commit(batch);
        }
        failQueued();
    }

    private void commit(List<Unit> batch) {
        while (!batch.isEmpty()) {
            List<CuratorOp> all = new ArrayList<>();
            batch.forEach(u -> all.addAll(u.ops()));
            try {
                transactions.incrementAndGet();
                List<CuratorTransactionResult> results = client.transaction().forOperations(all);
                int from = 0;
                for (Unit u : batch) {
                    complete(u, results.subList(from, from + u.ops().size()), null);
                    from += u.ops().size();
                }
                return;
            } catch (KeeperException e) {
                int failed = failedOperation(e);
                if (failed < 0) {
                    batch.forEach(u -> complete(u, null, e));
                    return;
                }
                int from = 0;
                for (int i = 0; i < batch.size(); i++) {
                    Unit u = batch.get(i);
                    if (failed < from + u.ops().size()) {
                        int code = ((OpResult.ErrorResult) e.getResults().get(failed)).getErr();
                        complete(u, null, KeeperException.create(KeeperException.Code.get(code),
                                all.get(failed).get().getPath()));
                        batch.remove(i);
                        break;
                    }
                    from += u.ops().size();
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                batch.forEach(u -> complete(u, null, e));
                return;
            }
        }
    }

    private void complete(Unit u, List<CuratorTransactionResult> results, Exception error) {
        units.incrementAndGet();
        try {
            if (error == null) {
                u.result().complete(List.copyOf(results));
            } else {
                u.result().completeExceptionally(error);
            }
        } catch (RuntimeException e) {
            // A caller's callback threw: its problem must not stop the other units' commits.
            LOG.error("completion callback of a group-committed transaction failed", e);
        }
    }

    /** Index of the operation that made a multi() fail, or -1 when the results do not say. */
    public static int failedOperation(KeeperException e) {
        List<OpResult> results = e.getResults();
        if (results == null) {
            return -1;
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult err && err.getErr() != 0
                    && err.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                return i;
            }
        }
        return -1;
    }

    private static int bytes(List<CuratorOp> ops) {
        int total = 0;
        for (CuratorOp op : ops) {
            Record request = op.get().toRequestRecord();
            byte[] data = request instanceof CreateRequest c ? c.getData()
                    : request instanceof SetDataRequest s ? s.getData() : null;
            total += 32 + op.get().getPath().length() + (data == null ? 0 : data.length);
        }
        return total;
    }

    private void failQueued() {
        Unit u;
        while ((u = queue.poll()) != null) {
            complete(u, null, new IllegalStateException("group commit is closed"));
        }
    }

    /** Stops the committing thread after the batch in flight; units still queued fail. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failQueued();
    }
}
