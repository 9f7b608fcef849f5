package io.ha.samples.intervalpipeline;

import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskRecord;
import io.ha.samples.SampleNode;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * An agent "machine" of the interval-pipeline sample, started with {@code --role compute} or {@code --role process}.
 * A compute agent runs the schedule's {@value IntervalPipelineSample#ALGORITHM} tasks (about 1 s each): its result
 * names the tick it was computed for, so that every tick's result is unique. A process agent runs the
 * {@value IntervalPipelineSample#PROCESS} follow-ups (about 2.5 s each) and returns {@code stored <its input>}, so
 * that the records show which input each follow-up was given.
 *
 * <p>The role is also the agent's label, and the tasks require it: an algorithm never runs on a process agent, nor a
 * follow-up on a compute agent. Not guaranteed here: that a handler runs once. A follow-up whose agent is killed runs
 * again elsewhere (at-least-once); only its outcome is recorded once.
 */
public final class PipelineAgent {
    static final String COMPUTE = "compute";
    static final String PROCESS = "process";
    private static final long ALGORITHM_MILLIS = 1000;
    private static final long PROCESSING_MILLIS = 2500;

    private PipelineAgent() {
    }

    public static void main(String[] args) throws Exception {
        SampleNode node = SampleNode.parse("PipelineAgent", args);
        node.exitWithParent();
        String role = node.option("role");
        if (!role.equals(COMPUTE) && !role.equals(PROCESS)) {
            node.say("--role must be %s or %s, got '%s'", COMPUTE, PROCESS, role);
            System.exit(2);
        }
        // HA: the label is published with the agent's membership node; the leader assigns a task only to an agent
        // holding every label the task requires.
        HaCluster cluster = node.clusterBuilder().labels(Set.of(role)).build().start();
        if (role.equals(COMPUTE)) {
            cluster.worker().register(IntervalPipelineSample.ALGORITHM, ctx -> algorithm(node, cluster, ctx), 2);
        } else {
            cluster.worker().register(IntervalPipelineSample.PROCESS, ctx -> process(node, ctx), 2);
        }
        node.say("joined cluster '%s' as a %s agent, pid %d", node.cluster(), role, ProcessHandle.current().pid());

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            closed.countDown();
        }, "leave-cluster"));
        closed.await();
    }

    /**
     * The "algorithm" of one tick. HA: the scheduler gave the tick's task the tick as its idempotency key, so the
     * handler can tell which tick it computes for; what it returns is stored with the task and, in the same
     * transaction, becomes the input of the {@code process} follow-up.
     */
    private static byte[] algorithm(SampleNode node, HaCluster cluster, TaskContext ctx) throws Exception {
        String key = cluster.taskQueue().get(ctx.taskId()).map(TaskRecord::idempotencyKey).orElse("");
        String tick = TickKeys.tickTime(key).map(TickKeys::clock).orElse("manual " + ctx.taskId());
        Thread.sleep(ALGORITHM_MILLIS);
        String result = "model of tick " + tick + " by " + node.id();
        node.say("algorithm done: %s (task %s)", result, ctx.taskId());
        return result.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The follow-up. HA: its input is the algorithm's result as the ZooKeeper transaction that ended the algorithm
     * stored it; if this agent dies now, the leader hands the task to another process agent with the same input.
     */
    private static byte[] process(SampleNode node, TaskContext ctx) throws InterruptedException {
        String input = new String(ctx.input(), StandardCharsets.UTF_8);
        node.say("processing task %s (attempt %d): %s", ctx.taskId(), ctx.attempt(), input);
        Thread.sleep(PROCESSING_MILLIS);
        node.say("stored: %s", input);
        return ("stored " + input).getBytes(StandardCharsets.UTF_8);
    }
}
