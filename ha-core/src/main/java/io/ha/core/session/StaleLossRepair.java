package io.ha.core.session;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.CuratorZookeeperClient;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings back a client that Curator has left for dead after a session expiry. Curator 5 makes the new ZooKeeper
 * handle while it still handles the expiry of the old one; when the new handle connects inside that window (seen on a
 * loaded machine), the old handle's handling runs last: it marks the client not connected and posts LOST after the
 * RECONNECTED. Curator then posts no other state, its own check for a LOST client that is connected (CURATOR-525)
 * does not fire because the flag is down, and every operation fails with ConnectionLoss for good: a member that is
 * never a member again, although its handle is connected.
 *
 * <p>Guarantee: when, on two checks in a row, the {@link ConnectionGuard} says LOST, Curator says not connected and
 * the ZooKeeper handle says connected, the connection is reset once (a new handle and session, so Curator posts
 * RECONNECTED and every recipe starts over), logged at WARN and recorded as {@link EventKind#CONNECTION_RESET}. A
 * LOST session is already given up by everything that holds one, so the reset takes nothing away. Not guaranteed: that
 * any other stuck state is repaired; a client whose servers cannot be reached is left to ZooKeeper's own reconnects.
 */
public final class StaleLossRepair implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(StaleLossRepair.class);

    private final CuratorFramework client;
    private final ConnectionGuard guard;
    private final EventTimeline timeline;
    private final ScheduledExecutorService checks;
    private int strikes;

    /** Checks every {@code interval} until closed, on a thread of its own. */
    public StaleLossRepair(CuratorFramework client, ConnectionGuard guard, EventTimeline timeline, Duration interval) {
        this.client = client;
        this.guard = guard;
        this.timeline = timeline;
        this.checks = Executors.newSingleThreadScheduledExecutor(
                new ThreadFactoryBuilder().setNameFormat("ha-connection-repair").setDaemon(true).build());
        long ms = interval.toMillis();
        checks.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** One check; resets the connection on the second stuck check in a row. */
    synchronized void check() {
        try {
            if (!stuck()) {
                strikes = 0;
                return;
            }
            if (++strikes < 2) {
                return;
            }
            strikes = 0;
            long session = guard.sessionId();
            LOG.warn("ZooKeeper client is LOST although its handle (session 0x{}) is connected: Curator left it for "
                    + "dead after a session expiry; resetting the connection", Long.toHexString(session));
            timeline.record(EventKind.CONNECTION_RESET, "client stuck LOST with a connected handle (session 0x"
                    + Long.toHexString(session) + "); connection reset");
            client.getZookeeperClient().reset();
        } catch (Exception e) {
            LOG.warn("checking the ZooKeeper connection for a stuck loss failed: {}", e.toString());
        }
    }

    private boolean stuck() throws Exception {
        if (guard.state() != ConnectionGuard.State.LOST) {
            return false;
        }
        CuratorZookeeperClient zk = client.getZookeeperClient();
        if (zk.isConnected()) {
            return false;
        }
        ZooKeeper handle = zk.getZooKeeper();
        return handle != null && handle.getState().isConnected();
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
