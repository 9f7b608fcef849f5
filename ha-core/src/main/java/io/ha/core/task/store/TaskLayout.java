package io.ha.core.task.store;

import io.ha.core.internal.Buckets;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Creates the task queue's directories (every bucket of tasks, pending, keys and each terminal state) once per
 * cluster, so that transactions never need to create parents. A marker node records that it was done. The pending
 * log's buckets came later: they are looked for on every start.
 */
public final class TaskLayout {
    private static final String VERSION = "1";

    private TaskLayout() {
    }

    public static void ensure(CuratorFramework client, ZPaths paths) throws Exception {
        String marker = paths.taskLayoutMarker();
        // Added after the first layout version: checked on every start, so clusters laid out before it get it too.
        List<String> logBuckets = Buckets.all().stream().map(paths::pendingLogBucket).toList();
        if (client.checkExists().forPath(logBuckets.get(logBuckets.size() - 1)) == null) {
            try {
                client.create().creatingParentsIfNeeded().forPath(paths.pendingLog());
            } catch (KeeperException.NodeExistsException e) {
                // Made by another member at the same time.
            }
            createAll(client, logBuckets);
        }
        if (client.checkExists().forPath(marker) != null) {
            return;
        }
        List<String> tops = new ArrayList<>(List.of(paths.assigned(), paths.tasks(), paths.pending(), paths.keys()));
        List<String> dirs = new ArrayList<>();
        for (TaskState state : TaskState.values()) {
            if (state.isTerminal()) {
                tops.add(paths.doneState(state.name()));
            }
        }
        for (String bucket : Buckets.all()) {
            dirs.add(paths.tasksBucket(bucket));
            dirs.add(paths.pendingBucket(bucket));
            dirs.add(paths.keysBucket(bucket));
            for (TaskState state : TaskState.values()) {
                if (state.isTerminal()) {
                    dirs.add(paths.doneBucket(state.name(), bucket));
                }
            }
        }
        for (String top : tops) {
            try {
                client.create().creatingParentsIfNeeded().forPath(top);
            } catch (KeeperException.NodeExistsException e) {
                // Another member is laying out the same cluster at the same time.
            }
        }
        createAll(client, dirs);
        try {
            client.create().forPath(marker, VERSION.getBytes(StandardCharsets.UTF_8));
        } catch (KeeperException.NodeExistsException e) {
            // Same.
        }
    }

    /** Creates every path of {@code dirs} (existing ones are fine), pipelined: about one round trip for all. */
    private static void createAll(CuratorFramework client, List<String> dirs) throws Exception {
        // Pipelined: some two thousand creates in about one round trip instead of one each.
        CountDownLatch created = new CountDownLatch(dirs.size());
        AtomicReference<KeeperException.Code> failure = new AtomicReference<>();
        for (String dir : dirs) {
            client.create().inBackground((c, event) -> {
                KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                if (code != KeeperException.Code.OK && code != KeeperException.Code.NODEEXISTS) {
                    failure.compareAndSet(null, code);
                }
                created.countDown();
            }).forPath(dir);
        }
        if (!created.await(client.getZookeeperClient().getConnectionTimeoutMs() * 3L, TimeUnit.MILLISECONDS)) {
            throw new KeeperException.OperationTimeoutException();
        }
        if (failure.get() != null) {
            throw KeeperException.create(failure.get(), dirs.get(0));
        }
    }
}
