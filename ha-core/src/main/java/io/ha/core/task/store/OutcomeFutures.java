package io.ha.core.task.store;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.core.CorruptDataException;
import io.ha.core.HaException;
import io.ha.core.NoSuchTaskException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Futures of task outcomes ({@code TaskQueue.future}), driven by one persistent recursive watch on {@code /done}
 * shared by all of a queue's futures: a terminal record created for a task someone waits on is read once and
 * completes that task's futures. The watch is set while at least one future is outstanding and removed when none
 * is, so an idle queue costs nothing; while it is set, this client hears of every outcome recorded in the cluster
 * (one small notification each, no data: a data read only for the tasks waited on), which is cheaper than one watch
 * per task from a few hundred futures on and costs a busy cluster's observers some notifications per second.
 *
 * <p>Guarantees: a future completes with the terminal record of its task (SUCCEEDED, FAILED, DEAD or CANCELLED),
 * at once when the task has already ended, exceptionally with {@link NoSuchTaskException} for an unknown id; events
 * missed while disconnected are made up for when the watch is set again (every outstanding task's terminal record
 * is looked for). Cancelling a future only forgets it (the task goes on). Futures complete on this queue's own
 * thread, never on ZooKeeper's event thread. Not guaranteed: completion for a task whose terminal record was pruned
 * while this client was disconnected (the future then waits until cancelled or the queue closes).
 */
public final class OutcomeFutures implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(OutcomeFutures.class);
    private static final List<TaskState> TERMINAL = java.util.Arrays.stream(TaskState.values())
            .filter(TaskState::isTerminal).toList();

    private final ClusterContext ctx;
    private final TaskReader reader;
    private final ThreadPoolExecutor executor;
    private final Object lock = new Object();
    private final Map<String, List<CompletableFuture<TaskRecord>>> waiting = new HashMap<>(); // guarded by lock
    private PersistentWatcher watcher; // guarded by lock
    private boolean closed; // guarded by lock

    public OutcomeFutures(ClusterContext ctx, TaskReader reader) {
        this.ctx = ctx;
        this.reader = reader;
        this.executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new ThreadFactoryBuilder().setNameFormat("ha-task-futures").setDaemon(true).build());
        this.executor.allowCoreThreadTimeOut(true);
    }

    /** A future of the task's terminal record; see the class comment for what completes it. */
    public CompletableFuture<TaskRecord> future(String taskId) {
        if (!TaskIds.isValid(taskId)) {
            return CompletableFuture.failedFuture(new NoSuchTaskException(String.valueOf(taskId)));
        }
        CompletableFuture<TaskRecord> f = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new HaException("the task queue is closed"));
            }
            waiting.computeIfAbsent(taskId, id -> new ArrayList<>()).add(f);
            if (watcher == null) {
                watcher = startWatcher();
            }
        }
        f.whenComplete((r, e) -> forget(taskId, f));
        // After registering: an outcome recorded from here on is either seen by this look or by the watch (set now,
        // or when it is set, by the look made then for every outstanding task).
        run(() -> firstLook(taskId));
        return f;
    }

    private PersistentWatcher startWatcher() {
        PersistentWatcher w = new PersistentWatcher(ctx.client(), ctx.paths().done(), true);
        w.getListenable().addListener(this::onEvent);
        // Called each time the watch is set: the first time and after every reconnect (events in between are lost).
        w.getResetListenable().addListener(() -> run(this::lookForAll));
        w.start();
        return w;
    }

    private void forget(String taskId, CompletableFuture<TaskRecord> f) {
        PersistentWatcher unused = null;
        synchronized (lock) {
            List<CompletableFuture<TaskRecord>> list = waiting.get(taskId);
            if (list != null && list.remove(f) && list.isEmpty()) {
                waiting.remove(taskId);
            }
            if (waiting.isEmpty() && watcher != null) {
                unused = watcher;
                watcher = null;
            }
        }
        if (unused != null) {
            unused.close();
        }
    }

    /** On ZooKeeper's event thread: only the creation of a waited-for task's terminal record matters. */
    private void onEvent(WatchedEvent event) {
        if (event.getType() != Watcher.Event.EventType.NodeCreated) {
            return;
        }
        List<String> below = ZPaths.below(ctx.paths().done(), event.getPath());
        if (below.size() != 3) {
            return;
        }
        String taskId = below.get(2);
        synchronized (lock) {
            if (!waiting.containsKey(taskId)) {
                return;
            }
        }
        String path = event.getPath();
        run(() -> complete(List.of(taskId), List.of(path)));
    }

    private void firstLook(String taskId) {
        try {
            Optional<TaskRecord> now = reader.get(taskId);
            if (now.isEmpty()) {
                completeAll(taskId, null, new NoSuchTaskException(taskId));
            } else if (now.get().state().isTerminal()) {
                completeAll(taskId, now.get(), null);
            }
        } catch (Exception e) {
            // A read that failed (connection loss) is made up for by the look when the watch is set again.
            LOG.debug("first look at task {} failed: {}", taskId, e.toString());
        }
    }

    private void lookForAll() {
        List<String> ids;
        synchronized (lock) {
            ids = List.copyOf(waiting.keySet());
        }
        lookFor(ids);
    }

    /** Looks for a terminal record of each of {@code ids} in every terminal state. */
    private void lookFor(List<String> ids) {
        List<String> owners = new ArrayList<>(ids.size() * TERMINAL.size());
        List<String> paths = new ArrayList<>(ids.size() * TERMINAL.size());
        for (String id : ids) {
            for (TaskState s : TERMINAL) {
                owners.add(id);
                paths.add(ctx.paths().doneRecord(s.name(), id));
            }
        }
        complete(owners, paths);
    }

    /**
     * Reads {@code paths} (pipelined), terminal records of the tasks {@code owners} names at the same index, and
     * completes the futures of the tasks whose record exists.
     */
    private void complete(List<String> owners, List<String> paths) {
        try {
            List<AsyncReads.Result> reads = AsyncReads.getData(ctx.client(), paths, ctx.sessionTimeout().toMillis());
            for (int i = 0; i < reads.size(); i++) {
                AsyncReads.Result r = reads.get(i);
                if (r.ok()) {
                    String id = owners.get(i);
                    try {
                        completeAll(id, Json.read(r.path(), r.data(), TaskRecord.class), null);
                    } catch (CorruptDataException e) {
                        completeAll(id, null, e);
                    }
                }
            }
        } catch (Exception e) {
            // Connection loss: the watch is set again after the reconnect, and that looks for every task again.
            LOG.debug("reading {} terminal record(s) failed: {}", paths.size(), e.toString());
        }
    }

    private void completeAll(String taskId, TaskRecord record, Throwable failure) {
        List<CompletableFuture<TaskRecord>> futures;
        synchronized (lock) {
            futures = List.copyOf(waiting.getOrDefault(taskId, List.of()));
        }
        for (CompletableFuture<TaskRecord> f : futures) {
            if (failure == null) {
                f.complete(record);
            } else {
                f.completeExceptionally(failure);
            }
        }
    }

    private void run(Runnable work) {
        try {
            executor.execute(work);
        } catch (RejectedExecutionException e) {
            // Closed: the outstanding futures were completed exceptionally by close.
        }
    }

    /** Removes the watch and completes the outstanding futures exceptionally (before the client closes). */
    @Override
    public void close() {
        List<CompletableFuture<TaskRecord>> left = new ArrayList<>();
        PersistentWatcher w;
        synchronized (lock) {
            closed = true;
            waiting.values().forEach(left::addAll);
            w = watcher;
            watcher = null;
        }
        if (w != null) {
            w.close();
        }
        executor.shutdownNow();
        HaException closedError = new HaException("the task queue is closed");
        left.forEach(f -> f.completeExceptionally(closedError));
    }
}
