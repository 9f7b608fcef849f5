package io.ha.agent.bench;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;

/**
 * Counts the terminal records HA creates ({@code <cluster>/done/<STATE>/<bucket>/<taskId>}) from one persistent
 * recursive watch: a completion costs the server one notification and this client no read, so the count can be
 * polled every millisecond while agents in other processes run the tasks. Guarantee: counts each record created
 * while the watch is set and this client stays connected. Not guaranteed: records created during a connection loss
 * (the benchmark fails a run that does not reach its count instead).
 */
final class OutcomeCounter implements AutoCloseable {
    private final String done;
    private final PersistentWatcher watcher;
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder other = new LongAdder();

    private OutcomeCounter(CuratorFramework client, String clusterPath) {
        // The layout is ha-core's; read raw because no public API streams outcomes without reading each record.
        this.done = ZKPaths.makePath(clusterPath, "done");
        this.watcher = new PersistentWatcher(client, done, true);
        watcher.getListenable().addListener(this::event);
    }

    /** Sets the watch and waits until the server has it. */
    static OutcomeCounter start(CuratorFramework client, String clusterPath) throws Exception {
        OutcomeCounter c = new OutcomeCounter(client, clusterPath);
        CountDownLatch set = new CountDownLatch(1);
        c.watcher.getResetListenable().addListener(set::countDown);
        c.watcher.start();
        if (!set.await(30, TimeUnit.SECONDS)) {
            c.close();
            throw new BenchException("the watch on " + c.done + " was not set within 30 s");
        }
        return c;
    }

    private void event(WatchedEvent e) {
        if (e.getType() != Watcher.Event.EventType.NodeCreated || e.getPath() == null
                || !e.getPath().startsWith(done + "/")) {
            return;
        }
        List<String> parts = ZKPaths.split(e.getPath().substring(done.length()));
        if (parts.size() != 3) {
            return;
        }
        if ("SUCCEEDED".equals(parts.get(0))) {
            succeeded.increment();
        } else {
            other.increment();
        }
    }

    long succeeded() {
        return succeeded.sum();
    }

    /** Records of any other terminal state: a no-op handler never causes one. */
    long other() {
        return other.sum();
    }

    @Override
    public void close() {
        watcher.close();
    }
}
