package io.ha.testkit;

import io.ha.core.cluster.HaCluster;
import io.ha.testkit.internal.MemberLink;
import io.ha.testkit.zk.SessionExpiry;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;

/**
 * A started {@link HaCluster} of a {@link HaTestKit}, with its own ZooKeeper session, reaching the servers through its
 * own loopback proxies: the faults of this type hit this member alone, and each is one method call.
 *
 * <p>Guarantees: a fault method returns once the fault is in force (or, for the timed ones, over); the member's
 * code is never touched, it sees only what a real network or a real server would show it. Not guaranteed: when the
 * member notices (that depends on its own timeouts, as in production); a paused member is not a stopped JVM (see
 * {@link #pause}).
 */
public final class TestMember {
    private final HaTestKit kit;
    private final HaCluster cluster;
    private final MemberLink link;

    TestMember(HaTestKit kit, HaCluster cluster, MemberLink link) {
        this.kit = kit;
        this.cluster = cluster;
        this.link = link;
    }

    /** The member itself. */
    public HaCluster cluster() {
        return cluster;
    }

    public String id() {
        return cluster.agentId();
    }

    /** The member's current ZooKeeper session id (0 while it has none). */
    public long sessionId() {
        try {
            return cluster.curator().getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * Expires the member's session on the servers, as a partition longer than the session does: the servers close
     * it and delete its ephemeral nodes (its registration, its election node, its locks) at once, and the member
     * learns of it only when it next hears from a server. Returns once the servers have closed the session.
     */
    public void expireSession() throws Exception {
        SessionExpiry.expire(cluster.curator().getZookeeperClient().getZooKeeper(), kit.directConnectString(),
                kit.sessionTimeout(), kit.waitLimit());
    }

    /**
     * Cuts the member off every server until {@link #heal()}: bytes are dropped both ways while the connections stay
     * open (a cut cable, not a refused port), so the member notices only through its own read timeout (two thirds
     * of its session), and its session expires on the servers after the session timeout.
     */
    public void partition() {
        link.partition();
    }

    /** Ends a {@link #partition()}: the member reconnects, to its old session if the servers still hold it. */
    public void heal() {
        link.heal();
    }

    /** {@link #partition()} for {@code duration}, then {@link #heal()}: blocks for the duration. */
    public void partitionFor(Duration duration) throws InterruptedException {
        partition();
        try {
            Thread.sleep(duration.toMillis());
        } finally {
            heal();
        }
    }

    /**
     * A long stop-the-world pause, seen from the servers: every byte to and from the member is held for
     * {@code duration}, then delivered late and in order, and with a duration past the session timeout the servers
     * expire the session while the member has not heard of it. Blocks for the duration.
     *
     * <p>Not a stopped JVM: the member's own threads keep running, so its client notices the silence after two
     * thirds of its session (as it would only after waking from a real pause). What the pause adds to a
     * {@link #partitionFor partition} is the late delivery: requests the member sent before the pause reach the
     * servers after its session is gone, as a zombie's would.
     */
    public void pause(Duration duration) throws InterruptedException {
        link.freeze();
        try {
            Thread.sleep(duration.toMillis());
        } finally {
            link.thaw();
        }
    }

    /**
     * Drops the first reply a server sends to the member once {@code condition} holds, and cuts that connection: the
     * server did the work, the member never heard. The member reconnects with its session and goes on; see
     * {@link #replyDropped()}.
     */
    public void dropNextReplyWhen(BooleanSupplier condition) {
        link.dropNextReplyWhen(condition);
    }

    /** Drops the very next reply to the member and cuts its connection. */
    public void dropNextReply() {
        link.dropNextReplyWhen(() -> true);
    }

    /** Whether the reply armed by {@link #dropNextReplyWhen} has been dropped. */
    public boolean replyDropped() {
        return link.replyDropped();
    }

    /** The index of the server (in {@link HaTestKit#killServer} numbering) the member is connected to now. */
    public OptionalInt connectedServer() {
        return link.connectedServer();
    }

    /** The member's connect string: its own proxies, one per server. */
    public String connectString() {
        return link.connectString();
    }

    @Override
    public String toString() {
        return "member " + id();
    }
}
