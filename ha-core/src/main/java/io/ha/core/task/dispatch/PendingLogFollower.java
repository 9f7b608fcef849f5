package io.ha.core.task.dispatch;

import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.store.PendingEntry;
import io.ha.core.task.store.PendingLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code /pending-log} for a dispatcher term (see {@link PendingLog}): reads each new announcement once,
 * without waiting, applies its pointers to the {@link DispatchView}, and deletes the announcements it has read, or
 * that a listing of the pointers covers, in fenced batches.
 *
 * <p>Guarantees: an announcement is deleted only after this term has applied it or listed the pointers after it was
 * made, and only while this term's epoch holds (a deposed leader cannot delete what its successor has not read).
 * Not guaranteed: that every announcement is read; one that cannot be read asks for a rescan instead, whose listing
 * of the pointers covers it.
 */
final class PendingLogFollower {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** Announcements deleted per transaction. */
    private static final int LOG_DELETE_BATCH = 500;

    private final CuratorFramework client;
    private final ZPaths paths;
    private final Duration readTimeout;
    private final DispatchView view;
    private final FencedWriter writer;
    private final TermEvents events;
    /** Announcements made before the last full listing of the pointers: already covered by it. */
    private final Set<String> logCovered = new HashSet<>();
    /** Announcements read (or covered), to delete from {@code /pending-log}. */
    private final Set<String> logToDelete = new LinkedHashSet<>();
    private boolean logDeleteInFlight;

    PendingLogFollower(CuratorFramework client, ZPaths paths, Duration readTimeout, DispatchView view,
                       FencedWriter writer, TermEvents events) {
        this.client = client;
        this.paths = paths;
        this.readTimeout = readTimeout;
        this.view = view;
        this.writer = writer;
        this.events = events;
    }

    /**
     * Lists the announcements as covered, to be deleted unread. Must come before the listing of the pointers:
     * every announcement listed here was made before that listing, so its pointers are in it (or already gone), and
     * reading it would only add back pointers this term may move meanwhile.
     */
    void coverListed() throws Exception {
        List<String> logged = new ArrayList<>();
        List<String> logBuckets = Buckets.all();
        List<AsyncReads.Result> logLists = AsyncReads.childrenOfSmallTree(client, paths.pendingLog(),
                logBuckets.stream().map(paths::pendingLogBucket).toList(), Buckets.SMALL_TREE_NODES,
                readTimeout.toMillis());
        for (int i = 0; i < logBuckets.size(); i++) {
            if (logLists.get(i).ok()) {
                for (String name : logLists.get(i).children()) {
                    logged.add(ZPaths.pendingLogName(logBuckets.get(i), name));
                }
            }
        }
        logCovered.clear();
        logCovered.addAll(logged);
        logToDelete.addAll(logged);
    }

    /** A watch event below {@code /pending-log}: {@code below} is the event path's segments below it. */
    void onLogEvent(EventType type, List<String> below) {
        if (below.size() != 2) {
            return; // a bucket
        }
        String name = ZPaths.pendingLogName(below.get(0), below.get(1));
        if (type == EventType.NodeCreated && !logCovered.remove(name)) {
            readAnnouncement(name);
        } else if (type == EventType.NodeDeleted) {
            logCovered.remove(name);
        }
    }

    /** Reads one announcement without waiting; its pointers are indexed on the term's thread. */
    private void readAnnouncement(String name) {
        try {
            client.getData().inBackground((c, event) -> events.post(() -> onAnnouncement(name, event)))
                    .forPath(paths.pendingLogEntry(name));
        } catch (Exception e) {
            LOG.debug("reading announcement {} failed: {}; rescanning", name, e.toString());
            events.requestRescan();
        }
    }

    private void onAnnouncement(String name, CuratorEvent event) {
        KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
        if (code == KeeperException.Code.NONODE) {
            return; // deleted by this term already (covered by a listing)
        }
        if (code != KeeperException.Code.OK) {
            // Not read (connection trouble): the full listing that follows covers it.
            LOG.debug("announcement {} not read ({}); rescanning", name, code);
            events.requestRescan();
            return;
        }
        PendingLog log = PendingLog.decode(event.getData());
        log.added().forEach(view::addPointer);
        for (String removed : log.removed()) {
            PendingEntry entry = PendingEntry.parse(removed);
            if (entry != null) {
                view.pending().remove(entry);
            }
        }
        logToDelete.add(name);
    }

    /**
     * Deletes read announcements, up to {@link #LOG_DELETE_BATCH} per fenced transaction, one transaction in flight:
     * a deposed leader must not delete what its successor has not read yet.
     */
    void flushDeletes() throws Exception {
        if (logDeleteInFlight || logToDelete.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>();
        Iterator<String> it = logToDelete.iterator();
        while (it.hasNext() && names.size() < LOG_DELETE_BATCH) {
            names.add(it.next());
            it.remove();
        }
        List<CuratorOp> ops = writer.begin(names.size());
        for (String name : names) {
            ops.add(client.transactionOp().delete().forPath(paths.pendingLogEntry(name)));
        }
        logDeleteInFlight = true;
        writer.commitInBackground(ops, event -> onDeleted(names, event));
    }

    private void onDeleted(List<String> names, CuratorEvent event) {
        logDeleteInFlight = false;
        if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
            return;
        }
        List<CuratorTransactionResult> results = event.getOpResults();
        writer.failedOperation(results);
        if (results == null || results.isEmpty()) {
            logToDelete.addAll(names); // connection trouble: try again
            return;
        }
        // One of them was gone already (deleted after a listing that covered it): try the others again.
        for (int i = 1; i < results.size() && i <= names.size(); i++) {
            if (results.get(i).getError() != KeeperException.Code.NONODE.intValue()) {
                logToDelete.add(names.get(i - 1));
            }
        }
    }
}
