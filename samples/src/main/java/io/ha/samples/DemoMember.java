package io.ha.samples;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.leader.LeaderContext;
import io.ha.core.session.EventKind;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * One member of the demo cluster, run as its own process by {@link LeaderFailoverDemo}:
 * {@code DemoMember --zk <connect string> --id <agent id>}.
 *
 * <p>It joins the cluster {@value #CLUSTER} and runs one leader-only service that prints a line per second while this
 * process leads. SIGTERM makes it leave cleanly (the shutdown hook closes the {@link HaCluster}, which stops the
 * service and gives up leadership at once); SIGKILL leaves its ZooKeeper session to expire, which is what the demo
 * shows. It also exits when the process that started it dies, so that no member outlives a killed demo.
 */
public final class DemoMember {
    /** The cluster every process of the demo joins. */
    static final String CLUSTER = "demo";
    /** Short, so that the death of a member is noticed within seconds; ZooKeeper's default minimum is 2 ticks. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

    private DemoMember() {
    }

    public static void main(String[] args) throws Exception {
        String zk = null;
        String id = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--zk" -> zk = args[i + 1];
                case "--id" -> id = args[i + 1];
                default -> usage("unknown option " + args[i]);
            }
        }
        if (zk == null || id == null || args.length % 2 != 0) {
            usage("both --zk and --id are required");
        }
        run(zk, id);
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: DemoMember --zk <host:port[,host:port...]> --id <agent id>");
        System.exit(2);
    }

    private static void run(String zk, String id) throws Exception {
        HaCluster cluster = HaCluster.builder()
                .connectString(zk)
                .clusterName(CLUSTER)
                .agentId(id)
                .sessionTimeout(SESSION_TIMEOUT)
                .connectionTimeout(CONNECTION_TIMEOUT)
                .role(ClusterRole.MEMBER)
                .build();
        // Subscribed before start(): this member may be elected while start() is still returning.
        cluster.timeline().addListener(event -> {
            if (event.kind() == EventKind.ELECTED) {
                System.out.println(id + " ELECTED leader (epoch " + event.token() + ")");
            } else if (event.kind() == EventKind.REVOKED) {
                System.out.println(id + " REVOKED: no longer leader (epoch " + event.token() + " ended)");
            }
        });
        cluster.start();
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println(id + " shutting down: leaving the cluster");
            cluster.close();
            System.out.println(id + " left the cluster cleanly");
            closed.countDown();
        }, "leave-cluster"));
        // Orphan guard: if the demo itself is killed (even with SIGKILL) nobody else would stop this process.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.out.println(id + ": the demo process is gone; exiting");
            System.exit(0);
        }));

        cluster.leaderElection().addService("demo-work", DemoMember::leaderWork);
        System.out.println(id + " joined cluster '" + CLUSTER + "' as pid " + ProcessHandle.current().pid());
        closed.await();
    }

    /** Leader-only work: runs until this process stops leading, which interrupts it. */
    private static void leaderWork(LeaderContext ctx) throws InterruptedException {
        try {
            for (int tick = 1; ; tick++) {
                System.out.println(ctx.agentId() + " LEADER (epoch " + ctx.epoch()
                        + "): doing leader-only work, tick " + tick);
                Thread.sleep(1000);
            }
        } finally {
            System.out.println(ctx.agentId() + " stopped leader-only work of epoch " + ctx.epoch());
        }
    }
}
