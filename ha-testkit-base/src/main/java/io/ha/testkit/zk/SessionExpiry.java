package io.ha.testkit.zk;

import java.time.Duration;
import org.apache.zookeeper.ZooKeeper;

/**
 * Expires a client's session on the servers, the way a long partition does: a second client joins the session with
 * its id and password and closes it, so the servers close the session and delete its ephemeral nodes at once. The
 * client learns of it only when it next talks to a server. Not a client-side expiry: the client is not told first.
 */
public final class SessionExpiry {
    private SessionExpiry() {
    }

    /** Closes {@code client}'s current session through {@code connectString} (servers, not a proxy). */
    public static void expire(ZooKeeper client, String connectString, Duration sessionTimeout, Duration wait)
            throws Exception {
        long id = client.getSessionId();
        byte[] password = client.getSessionPasswd();
        ZooKeeper twin = new ZooKeeper(connectString, (int) sessionTimeout.toMillis(), e -> { }, id, password);
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            while (twin.getState() != ZooKeeper.States.CONNECTED && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (twin.getState() != ZooKeeper.States.CONNECTED) {
                throw new IllegalStateException("could not join session 0x" + Long.toHexString(id) + " at "
                        + connectString + " to expire it");
            }
        } finally {
            twin.close();
        }
    }
}
