package io.ha.samples.masterslave;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ha.core.cluster.HaCluster;
import io.ha.core.leader.LeaderElection;
import io.ha.core.membership.AgentInfo;
import io.ha.core.membership.MembershipListener;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.samples.SampleNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * A master "machine" of the master-slave sample: a member of the cluster that runs no tasks. Whichever member leads
 * is the master, because the leader runs ha-core's task dispatcher, the only component that assigns tasks. While it
 * leads, this program says so with the epoch of its term and prints the slaves' status and their jobs' progress
 * as ZooKeeper holds them.
 *
 * <p>Guarantee: it prints "elected" only once its term has begun, that is once a new epoch was written. Not
 * guaranteed: that a killed master prints anything at all. It just stops, and its successor takes over when its
 * session expires.
 */
public final class Master {
    /** How often the master prints the slaves' status, when it changed. */
    private static final long STATUS_MS = 3000;
    /** How many running jobs the status line shows the progress of. */
    private static final int PROGRESS_SHOWN = 6;

    private Master() {
    }

    public static void main(String[] args) throws Exception {
        SampleNode node = SampleNode.parse("Master", args);
        node.exitWithParent();
        // HA: a member (not an observer) registers under /agents and stands in the leader election (Curator
        // LeaderLatch: the first in line leads, the next one takes over when the leader's session ends). It
        // registers no task handler, so the dispatcher never gives it a task: a master only assigns them.
        HaCluster cluster = node.clusterBuilder().build().start();
        node.say("joined as a master candidate (runs no tasks), pid %d; in line for leadership",
                ProcessHandle.current().pid());

        // HA: leader-only work runs while this process leads and is interrupted as soon as it may no longer lead.
        // The dispatcher is such a service already; this one only narrates. Nothing is handed over between
        // masters: the tasks, their assignments and the slaves live in ZooKeeper, where the next master reads them.
        LeaderElection election = cluster.leaderElection();
        election.addService("master-status", ctx -> {
            node.say("elected: I am the master now, epoch %d; the dispatcher assigns tasks from here", ctx.epoch());
            String last = "";
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(STATUS_MS);
                String status = status(cluster);
                if (!status.isEmpty() && !status.equals(last)) {
                    node.say("status (epoch %d): %s", ctx.epoch(), status);
                    last = status;
                }
            }
        });
        cluster.membership().addListener(new MembershipListener() {
            @Override
            public void left(AgentInfo agent) {
                if (election.isLeader()) {
                    node.say("%s is gone (its session ended): the dispatcher takes its tasks back, attempt + 1",
                            agent.id());
                }
            }
        });

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            closed.countDown();
        }, "leave-cluster"));
        closed.await();
    }

    /**
     * What the master knows of the slaves' work, all of it read from ZooKeeper: the state of every task (one record
     * per task, which each slave updates as it claims and ends a task), the progress of the running ones (which each
     * slave writes into its assignment node), and which slaves are alive. Empty while there are no tasks.
     */
    private static String status(HaCluster cluster) throws Exception {
        TaskQueue queue = cluster.taskQueue();
        Map<TaskState, Long> counts = queue.counts();
        if (counts.values().stream().allMatch(n -> n == 0)) {
            return "";
        }
        List<String> running = new ArrayList<>();
        for (TaskRecord r : queue.list(TaskState.RUNNING, PROGRESS_SHOWN)) {
            queue.progress(r.id()).ifPresent(p -> running.add(new String(r.payload(), UTF_8) + " " + p.percent() + "% on "
                    + p.agent()));
        }
        String slaves = cluster.membership().list().stream().filter(AgentInfo::accepting).map(AgentInfo::id)
                .collect(Collectors.joining(", "));
        return String.format("%d succeeded, %d running, %d assigned, %d pending; progress: %s; slaves alive: %s",
                counts.getOrDefault(TaskState.SUCCEEDED, 0L), counts.getOrDefault(TaskState.RUNNING, 0L),
                counts.getOrDefault(TaskState.ASSIGNED, 0L), counts.getOrDefault(TaskState.PENDING, 0L),
                running.isEmpty() ? "-" : String.join(", ", running.stream().sorted().toList()), slaves);
    }
}
