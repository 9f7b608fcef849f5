package io.ha.agent.zk;

import java.io.IOException;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;

/**
 * One server of a {@link LocalEnsemble} in a JVM of its own: ZooKeeper's {@link QuorumPeerMain} on the given
 * {@code zoo.cfg}, which also ends (at once, exit 1) when its standard input reaches end of file, that is when the
 * process that started it is gone, even by kill -9: an ensemble never outlives its owner.
 *
 * <p>Not guaranteed: a clean shutdown. SIGTERM and a lost owner end the JVM without ZooKeeper's shutdown; the
 * transaction log is fsynced per write, so nothing acknowledged is lost.
 */
public final class QuorumServerMain {
    private QuorumServerMain() {
    }

    public static void main(String[] args) {
        Thread owner = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Nothing is ever written to us: we only wait for the end of the pipe.
                }
            } catch (IOException e) {
                // A broken pipe is an end as well.
            }
            System.err.println("ha-zk server: its owner is gone; stopping");
            Runtime.getRuntime().halt(1);
        }, "owner-watch");
        owner.setDaemon(true);
        owner.start();
        QuorumPeerMain.main(args);
    }
}
