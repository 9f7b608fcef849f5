package io.ha.core.session;

import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides what the ZooKeeper connection state means for this process (see
 * {@link ConnectionPolicy}). Leadership, locks and task workers subscribe to it instead of interpreting Curator's
 * connection events each on their own.
 *
 * <p>Guarantee: listeners are called on Curator's connection-state thread, one event at a time, in the order the
 * states occurred, and {@link #isSafe()} already reflects the new state when they run. "Safe" means this process may
 * act as the holder of its session's leadership and locks.
 */
public final class ConnectionGuard implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    /** The connection as the guard sees it. */
    public enum State {
        CONNECTING, CONNECTED, SUSPENDED, LOST, CLOSED
    }

    /** Receives every change of safety. Must be quick: it runs on Curator's connection-state thread. */
    @FunctionalInterface
    public interface Listener {
        void onChange(State state, boolean safe);
    }

    private final CuratorFramework client;
    private final ConnectionPolicy policy;
    private final EventTimeline timeline;
    private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ConnectionStateListener curatorListener = this::onCuratorState;
    private final CountDownLatch firstConnected = new CountDownLatch(1);
    private volatile long lastSession;

    /** Subscribes to {@code client}'s connection events; start the client afterwards so that none is missed. */
    public ConnectionGuard(CuratorFramework client, ConnectionPolicy policy, EventTimeline timeline) {
        this.client = client;
        this.policy = policy;
        this.timeline = timeline;
        client.getConnectionStateListenable().addListener(curatorListener);
    }

    public ConnectionPolicy policy() {
        return policy;
    }

    public State state() {
        return state.get();
    }

    /** True when leadership and locks of this process may be considered held (see the class comment). */
    public boolean isSafe() {
        return isSafe(state.get());
    }

    private boolean isSafe(State s) {
        return s == State.CONNECTED || (s == State.SUSPENDED && policy == ConnectionPolicy.LOST_ONLY);
    }

    /** The current ZooKeeper session id, or 0 when there is none. */
    public long sessionId() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            // No ZooKeeper handle (closed or never connected): there is no session to report.
            return 0;
        }
    }

    /** Waits until the guard has seen the first connection; false on timeout. */
    public boolean awaitFirstConnection(Duration timeout) throws InterruptedException {
        return firstConnected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    private void onCuratorState(CuratorFramework ignored, ConnectionState newState) {
        State next = switch (newState) {
            case CONNECTED, RECONNECTED -> State.CONNECTED;
            case SUSPENDED -> State.SUSPENDED;
            case LOST -> State.LOST;
            case READ_ONLY -> State.SUSPENDED;
        };
        if (state.get() == State.CLOSED) {
            return;
        }
        state.set(next);
        long session = sessionId();
        // After a loss the handle already has no (or a new) session: name the one that was lost.
        long named = newState == ConnectionState.LOST || session == 0 ? lastSession : session;
        if (session != 0 && newState != ConnectionState.LOST) {
            lastSession = session;
        }
        String detail = "session 0x" + Long.toHexString(named) + " policy " + policy;
        switch (newState) {
            case CONNECTED -> timeline.record(EventKind.CONNECTED, detail);
            case RECONNECTED -> timeline.record(EventKind.RECONNECTED, detail);
            case SUSPENDED, READ_ONLY -> timeline.record(EventKind.SUSPENDED, detail);
            case LOST -> timeline.record(EventKind.LOST, detail);
        }
        if (next == State.CONNECTED) {
            firstConnected.countDown();
        }
        boolean safe = isSafe(next);
        for (Listener listener : listeners) {
            try {
                listener.onChange(next, safe);
            } catch (RuntimeException e) {
                // A faulty subscriber must not keep the others (leadership, locks) from learning of the change.
                LOG.error("connection listener {} failed on {}", listener, next, e);
            }
        }
    }

    @Override
    public void close() {
        state.set(State.CLOSED);
        client.getConnectionStateListenable().removeListener(curatorListener);
    }
}
