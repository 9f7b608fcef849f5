package io.ha.samples.watchdog;

import io.ha.agent.supervisor.Heartbeat;
import io.ha.core.cluster.HaCluster;
import io.ha.core.leader.LeaderContext;
import io.ha.samples.SampleNode;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * One copy of the watchdog sample's service, run under HA's supervisor ({@code SupervisorMain}): it joins the cluster
 * and does the service's work ({@link Journal} entries, four a second) only while it is the elected leader, the
 * active copy; otherwise it waits in the election as the standby.
 *
 * <p>Guarantee: the work runs only inside a leadership term and carries that term's epoch; it stops as soon as the
 * term can no longer be guaranteed. Not guaranteed: that a copy frozen for longer than the session timeout stops before
 * its next write once it is thawed (its thread runs on before it learns that its session has expired); here its
 * supervisor kills it instead, and the epoch in every entry lets a reader spot such a late write.
 */
public final class ServiceCopy {
    private static final long WORK_EVERY_MS = 250;

    private ServiceCopy() {
    }

    public static void main(String[] args) throws Exception {
        // HA's supervisor restarts this JVM when its heartbeat stops: one line a second on stdout, written by a thread
        // of its own. A JVM that is hung (SIGSTOP, a stuck stop-the-world pause) stops beating, whatever its state.
        if (Heartbeat.supervised()) {
            Heartbeat.start(System.out);
        }
        SampleNode node = SampleNode.parse("ServiceCopy", args);
        node.exitWithParent();
        Journal journal = new Journal(Path.of(node.option("journal")));
        long pid = ProcessHandle.current().pid();
        node.say("service JVM pid %d started; joining the cluster", pid);

        // HA: both copies join the same cluster with the same leader service. ZooKeeper elects one of them; the
        // other's election node waits behind the leader's. No heartbeat socket between the copies: the leader's
        // session is the heartbeat, and the servers end it when the copy stops answering for the session timeout.
        HaCluster cluster = node.clusterBuilder()
                .leaderService("service", ctx -> serve(node, journal, ctx, pid))
                .build().start();
        node.say("joined as pid %d; in the election (standby until elected)", pid);

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            closed.countDown();
        }, "leave-cluster"));
        closed.await();
    }

    /**
     * The active copy's work, for one leadership term. HA calls it on a thread of its own when this copy is elected
     * and interrupts that thread when the term ends (session lost, connection suspended, close).
     */
    private static void serve(SampleNode node, Journal journal, LeaderContext ctx, long pid) throws Exception {
        // The epoch is new for each term and higher than every earlier one: the fencing token of this term.
        node.say("ACTIVE epoch %d (pid %d): serving, a journal entry every %d ms", ctx.epoch(), pid, WORK_EVERY_MS);
        int n = 0;
        try {
            while (ctx.isLeader()) {
                journal.append(ctx.epoch(), node.id(), ++n);
                Thread.sleep(WORK_EVERY_MS);
            }
        } finally {
            node.say("epoch %d over: stopped serving after %d journal entries", ctx.epoch(), n);
        }
    }
}
