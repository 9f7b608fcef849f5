package io.ha.samples.masterslave;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ha.core.cluster.HaCluster;
import io.ha.samples.SampleNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;

/**
 * A slave "machine" of the master-slave sample: runs the jobs (tasks of type {@value MasterSlaveSample#TYPE}) the
 * master assigns to it, two at a time, each in {@value #STEPS} steps of {@value #STEP_MS} ms, reporting its progress
 * after every step. Each job that runs to its end is also written down in a file of its own
 * ({@code --completions DIR}), so that the sample can count the runs.
 *
 * <p>Guarantee: a line in its file means that a run of the handler reached its end. Not guaranteed: that the outcome
 * of that run was recorded. A slave killed between the line and the outcome's transaction leaves a line for a run
 * that ZooKeeper never saw end, and the job runs again elsewhere.
 */
public final class Slave {
    static final int STEPS = 10;
    static final long STEP_MS = 300;
    private static final int CONCURRENCY = 2;

    private Slave() {
    }

    public static void main(String[] args) throws Exception {
        SampleNode node = SampleNode.parse("Slave", args);
        node.exitWithParent();
        Path completions = Path.of(node.option("completions")).resolve("completed-" + node.id() + ".log");
        // HA: joining registers this slave under /agents (an ephemeral znode: it vanishes when the session ends,
        // which is how the master learns of a slave's death; no heartbeat protocol of our own).
        HaCluster cluster = node.clusterBuilder().build().start();
        cluster.worker().register(MasterSlaveSample.TYPE, ctx -> {
            String job = ctx.payloadAsString();
            for (int step = 1; step <= STEPS; step++) {
                Thread.sleep(STEP_MS); // the work; interrupted if the job is taken away from this slave
                // HA: the progress goes into the job's assignment znode in ZooKeeper (latest value wins, a few
                // writes a second at most), where the master, or any process, reads it: TaskQueue.progress(id).
                ctx.reportProgress(step * 100 / STEPS, "step " + step + " of " + STEPS);
                if (step == STEPS / 2) {
                    node.say("%s at 50%% (attempt %d)", job, ctx.attempt());
                }
            }
            // Written before the handler returns, and so before the outcome's transaction: see the class comment.
            Files.writeString(completions, ctx.taskId() + " " + ctx.attempt() + " " + node.id() + "\n", UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            node.say("%s done (attempt %d, assigned in epoch %d)", job, ctx.attempt(),
                    ctx.fencingToken().leaderEpoch());
            // HA: the result is stored by the same transaction that ends the job, checked against this slave's
            // assignment: a slave whose job was taken away cannot record an outcome any more.
            return ("done by " + node.id()).getBytes(UTF_8);
        }, CONCURRENCY);
        node.say("joined as a slave, pid %d; runs up to %d jobs at once", ProcessHandle.current().pid(), CONCURRENCY);

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            closed.countDown();
        }, "leave-cluster"));
        closed.await();
    }
}
