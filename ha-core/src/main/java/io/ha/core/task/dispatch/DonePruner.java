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
import io.ha.core.task.store.GroupRecord;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.Versioned;
import org.apache.zookeeper.KeeperException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Records of a group's tasks are kept, whatever the policy, until the group has ENDED or been CANCELLED (its
 * join reads them); the nodes of such a group are deleted once it is older than the retention.
 */
public final class DonePruner implements LeaderService {
    private static final Logger LOG = LoggerFactory.getLogger(DonePruner.class);

    private final CuratorFramework client;
    private final ZPaths paths;
    private final TaskStore store;
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
        this.store = store;
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
        Map<String, Boolean> groupsKept = new HashMap<>();
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
            pruned += delete(doomed, groupsKept);
        }
        return pruned + pruneGroups(oldest);
    }

    /** Whether a group's tasks are kept: it exists and has neither ended nor been cancelled. */
    private boolean groupKeeps(String groupId, Map<String, Boolean> cache) throws Exception {
        Boolean kept = cache.get(groupId);
        if (kept == null) {
            try {
                Versioned<GroupRecord> header = store.groups().readHeader(groupId);
                kept = header != null && !header.value().state().isFinished();
            } catch (CorruptDataException e) {
                kept = true; // unreadable: keep its members rather than guess
            }
            cache.put(groupId, kept);
        }
        return kept;
    }

    /** Deletes the nodes of groups that ended (or were cancelled) and are older than {@code oldest}. */
    private int pruneGroups(long oldest) throws Exception {
        List<String> dirs = Buckets.all().stream().map(paths::groupsBucket).toList();
        int pruned = 0;
        for (AsyncReads.Result dir : AsyncReads.children(client, dirs, readTimeout.toMillis())) {
            if (!dir.ok()) {
                continue; // no group ever made in this bucket
            }
            for (String groupId : dir.children()) {
                if (createdAt(groupId) >= oldest || groupKeeps(groupId, new HashMap<>())) {
                    continue;
                }
                try {
                    client.delete().deletingChildrenIfNeeded().forPath(paths.group(groupId));
                    pruned++;
                } catch (KeeperException.NoNodeException e) {
                    // Deleted by a previous leader's pass at the same time.
                }
            }
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

    private int delete(List<String> doomed, Map<String, Boolean> groupsKept) throws Exception {
        if (doomed.isEmpty()) {
            return 0;
        }
        List<String> keyPaths = new ArrayList<>();
        List<String> records = new ArrayList<>(doomed.size());
        for (AsyncReads.Result r : AsyncReads.getData(client, doomed, readTimeout.toMillis())) {
            records.add(r.path());
            if (r.ok()) {
                try {
                    TaskRecord record = Json.read(r.path(), r.data(), TaskRecord.class);
                    if (record.groupId() != null && groupKeeps(record.groupId(), groupsKept)) {
                        records.remove(records.size() - 1);
                        continue;
                    }
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
