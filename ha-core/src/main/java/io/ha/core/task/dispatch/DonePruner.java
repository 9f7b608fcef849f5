package io.ha.core.task.dispatch;

import com.google.common.base.Preconditions;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.CorruptDataException;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import io.ha.core.leader.LeaderContext;
import io.ha.core.leader.LeaderService;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.store.TaskStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the terminal records bounded (leader only): deletes those older than the retention and, per terminal state,
 * the oldest beyond the record limit, together with their idempotency keys (a pruned task's key may be used again).
 * Age comes from the task id, which starts with its creation time, so no record needs reading to decide.
 */
public final class DonePruner implements LeaderService {
    private static final Logger LOG = LoggerFactory.getLogger(DonePruner.class);

    private final CuratorFramework client;
    private final ZPaths paths;
    private final Duration retention;
    private final int maxPerState;
    private final Duration interval;
    private final Duration readTimeout;

    public DonePruner(TaskStore store, Duration retention, int maxPerState, Duration interval, Duration readTimeout) {
        Preconditions.checkArgument(!retention.isNegative() && !retention.isZero(), "done retention must be positive");
        Preconditions.checkArgument(maxPerState >= Buckets.COUNT, "max done records per state must be at least %s",
                Buckets.COUNT);
        this.client = store.client();
        this.paths = store.paths();
        this.retention = retention;
        this.maxPerState = maxPerState;
        this.interval = interval;
        this.readTimeout = readTimeout;
    }

    @Override
    public void lead(LeaderContext ctx) throws Exception {
        while (!Thread.currentThread().isInterrupted()) {
            int pruned = pruneOnce(System.currentTimeMillis());
            if (pruned > 0) {
                LOG.info("pruned {} terminal task records (retention {}, at most {} per state)", pruned, retention,
                        maxPerState);
            }
            Thread.sleep(interval.toMillis());
        }
    }

    /** One pass over every terminal state and bucket; returns how many records it deleted. */
    int pruneOnce(long now) throws Exception {
        long oldest = now - retention.toMillis();
        int perBucket = maxPerState / Buckets.COUNT;
        int pruned = 0;
        for (TaskState state : TaskState.values()) {
            if (!state.isTerminal()) {
                continue;
            }
            List<String> dirs = Buckets.all().stream().map(b -> paths.doneBucket(state.name(), b)).toList();
            List<String> doomed = new ArrayList<>();
            for (AsyncReads.Result dir : AsyncReads.children(client, dirs, readTimeout.toMillis())) {
                if (!dir.ok()) {
                    continue;
                }
                List<String> ids = new ArrayList<>(dir.children());
                ids.sort(Comparator.reverseOrder()); // newest first: ids start with their creation time
                for (int i = 0; i < ids.size(); i++) {
                    if (i >= perBucket || createdAt(ids.get(i)) < oldest) {
                        doomed.add(paths.doneRecord(state.name(), ids.get(i)));
                    }
                }
            }
            pruned += delete(doomed);
        }
        return pruned;
    }

    static long createdAt(String taskId) {
        int dash = taskId.indexOf('-');
        try {
            return dash > 0 ? Long.parseLong(taskId.substring(0, dash), 16) : Long.MAX_VALUE;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // not ours: never pruned by age
        }
    }

    private int delete(List<String> records) throws Exception {
        if (records.isEmpty()) {
            return 0;
        }
        List<String> keyPaths = new ArrayList<>();
        for (AsyncReads.Result r : AsyncReads.getData(client, records, readTimeout.toMillis())) {
            if (r.ok()) {
                try {
                    TaskRecord record = Json.read(r.path(), r.data(), TaskRecord.class);
                    if (record.idempotencyKey() != null) {
                        keyPaths.add(paths.key(TaskStore.keyHash(record.idempotencyKey())));
                    }
                } catch (CorruptDataException e) {
                    // Pruned all the same; it holds no key we can name.
                }
            }
        }
        // Records first, keys after: while a key outlives its record, a submit with that key still returns the
        // pruned id (get() then reports no such task), which is never a duplicate run.
        int deleted = deleteAll(records);
        deleteAll(keyPaths);
        return deleted;
    }

    private int deleteAll(List<String> nodes) throws Exception {
        CountDownLatch done = new CountDownLatch(nodes.size());
        AtomicInteger ok = new AtomicInteger();
        for (String node : nodes) {
            client.delete().inBackground((c, event) -> {
                if (event.getResultCode() == 0) {
                    ok.incrementAndGet();
                }
                done.countDown();
            }).forPath(node);
        }
        done.await(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return ok.get();
    }
}
