package io.ha.samples.loadbalancing;

import io.ha.core.cluster.HaCluster;
import io.ha.samples.SampleNode;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agent "machine" of the load-balancing sample with {@code --slots N}: a member of the sample's cluster (for the
 * membership part) and of one cluster per {@link Placement}, in each of which it runs up to N tasks of type
 * {@value #TYPE} at once. A task's payload is how long it takes, in milliseconds; its result is how many tasks this
 * agent was running in that cluster when it started (itself included), so that the sample can see the peak.
 *
 * <p>Guarantee: the reported count is this process's own, taken as the task starts. Not guaranteed: anything about
 * placement; the leader of each cluster decides that.
 */
public final class SlotAgent {
    static final String TYPE = "job";

    private SlotAgent() {
    }

    public static void main(String[] args) throws Exception {
        SampleNode node = SampleNode.parse("SlotAgent", args);
        node.exitWithParent();
        int slots = node.intOption("slots", 1);
        Deque<HaCluster> joined = new ConcurrentLinkedDeque<>();
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            joined.forEach(HaCluster::close);
            closed.countDown();
        }, "leave-clusters"));

        // HA: joining creates this agent's ephemeral znode <cluster>/agents/<id>, which lives exactly as long as its
        // ZooKeeper session: membership needs no heartbeat protocol of its own, the session's pings are the heartbeat.
        HaCluster main = node.clusterBuilder().capacity(slots).build().start();
        joined.push(main);
        for (Placement placement : Placement.values()) {
            // HA: every member of a placement's cluster is built with the same strategy: whichever one is elected
            // leader becomes the only dispatcher, and places every task with its own.
            HaCluster cluster = node.clusterBuilder().clusterName(placement.cluster(node.cluster())).capacity(slots)
                    .assignmentStrategy(placement.strategy()).build().start();
            joined.push(cluster);
            AtomicInteger running = new AtomicInteger();
            // HA: the registered concurrency is the capacity this agent publishes; the dispatcher offers it a task
            // only while it has a free slot.
            cluster.worker().register(TYPE, ctx -> {
                int now = running.incrementAndGet();
                try {
                    Thread.sleep(Long.parseLong(ctx.payloadAsString()));
                    return Integer.toString(now).getBytes(StandardCharsets.UTF_8);
                } finally {
                    running.decrementAndGet();
                }
            }, slots);
        }
        node.say("joined with %d slot(s), pid %d; session timeout %d ms", slots, ProcessHandle.current().pid(),
                main.curator().getZookeeperClient().getZooKeeper().getSessionTimeout());
        closed.await();
    }
}
