package io.ha.samples.loadbalancing;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.samples.SampleFailure;
import io.ha.samples.SampleRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One round of the load-balancing sample: the task stream submitted, at its own pace, to one {@link Placement}'s
 * cluster, and what its outcomes tell: per-agent counts, each agent's peak concurrency, the makespan.
 *
 * <p>Guarantee: every number comes from the tasks' stored records (agent, result, history times). Not guaranteed:
 * that a second run gives the same numbers; placement depends on when slots free up.
 */
final class StrategyRound {
    /** One task of the stream: when it is submitted (ms after the first) and how long it runs (ms). */
    record Job(long atMillis, long durationMillis) {
    }

    /** What one round found out. */
    record Result(Placement placement, int submitted, int succeeded, long recorded, int retried,
                  Map<String, Integer> perAgent, Map<String, Integer> peak, long makespanMillis) {
    }

    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration DONE = Duration.ofMinutes(1);

    private StrategyRound() {
    }

    /** Plays the round with a submitter of its own, which leaves the round's cluster afterwards. */
    static Result play(SampleRun run, Placement placement, List<Job> stream, int agents) throws Exception {
        String cluster = placement.cluster(run.clusterName());
        try (HaCluster submitter = run.join("submitter-" + placement.label(),
                b -> b.clusterName(cluster).role(ClusterRole.OBSERVER))) {
            return play(run, placement, stream, agents, submitter);
        }
    }

    private static Result play(SampleRun run, Placement placement, List<Job> stream, int agents, HaCluster submitter)
            throws Exception {
        String cluster = submitter.clusterName();
        run.await(agents + " agents taking tasks in cluster " + cluster, READY, () -> submitter.membership().list()
                .stream().filter(AgentInfo::accepting).count() == agents);

        // The same stream for every placement: tasks arrive one by one, as requests would, not as one batch.
        TaskQueue queue = submitter.taskQueue();
        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        for (Job job : stream) {
            long wait = job.atMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (wait > 0) {
                Thread.sleep(wait);
            }
            ids.add(queue.submit(TaskSpec.builder(SlotAgent.TYPE).payload(Long.toString(job.durationMillis()))
                    .build()));
        }
        List<TaskRecord> outcomes;
        try {
            outcomes = queue.futures(ids).get(DONE.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SampleFailure("the " + placement.label() + " round did not end within " + DONE.toSeconds()
                    + " s; the queue holds " + queue.counts());
        }

        int succeeded = 0;
        int retried = 0;
        Map<String, Integer> perAgent = new TreeMap<>();
        Map<String, Integer> peak = new TreeMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (TaskRecord r : outcomes) {
            first = Math.min(first, r.createdAt());
            last = Math.max(last, r.history().get(r.history().size() - 1).at());
            if (r.attempt() > 1) {
                retried++;
            }
            if (r.state() != TaskState.SUCCEEDED) {
                continue;
            }
            succeeded++;
            perAgent.merge(r.agent(), 1, Integer::sum);
            peak.merge(r.agent(), Integer.parseInt(new String(r.result(), UTF_8)), Math::max);
        }
        long recorded = queue.counts().getOrDefault(TaskState.SUCCEEDED, 0L);
        return new Result(placement, stream.size(), succeeded, recorded, retried, perAgent, peak, last - first);
    }
}
