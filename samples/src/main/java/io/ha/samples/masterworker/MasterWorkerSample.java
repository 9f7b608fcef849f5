/*
 * Sample "master-worker": a master hands out work and collects every result, with nothing lost and no polling.
 *
 * Guarantee shown: every one of the 100 submitted tasks is computed and its result reaches the master exactly once
 * (each outcome is recorded by one ZooKeeper transaction); the master is told of each outcome by a watch, not by
 * asking again and again; and a process without the cluster's digest credentials cannot join it at all.
 * Not shown (not guaranteed): that a handler runs only once. Execution is at-least-once: a worker that dies mid-task
 * has the task run again elsewhere, so real handlers must be idempotent. Digest credentials also cross the network in
 * clear text unless the ZooKeeper connection uses TLS.
 */
package io.ha.samples.masterworker;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.samples.Sample;
import io.ha.samples.SampleProcess;
import io.ha.samples.SampleRun;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** See the comment at the top of this file. */
public final class MasterWorkerSample implements Sample {
    static final String TYPE = "square";
    private static final int TASKS = 100;
    private static final int WORKERS = 3;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration ALL_DONE = Duration.ofMinutes(2);

    @Override
    public String name() {
        return "master-worker";
    }

    @Override
    public String shows() {
        return "a master submits 100 tasks (n*n) to three worker processes and collects every result without polling;"
                + " a worker without the cluster's digest credentials is refused";
    }

    @Override
    public void run(SampleRun run) throws Exception {
        // 1. Three worker machines. They hold the cluster's credentials (a secret file only this user can read); one
        //    of them is elected leader and becomes the dispatcher that assigns tasks to all three.
        for (int i = 1; i <= WORKERS; i++) {
            run.node("worker-" + i, SquareWorker.class);
        }
        HaCluster master = run.join("master", b -> b.role(ClusterRole.OBSERVER));
        run.await(WORKERS + " workers to join", STARTUP, () -> master.membership().size() == WORKERS);
        run.say("%d workers joined: %s", WORKERS, master.membership().list().stream()
                .map(a -> a.id()).sorted().collect(Collectors.joining(", ")));

        // 2. A fourth worker without the credentials. Every znode of the cluster is readable and writable by the
        //    cluster's identity only (a creator-only ACL), so ZooKeeper itself refuses it: no handshake to forge.
        SampleProcess intruder = run.nodeWithoutCredentials("intruder", SquareWorker.class);
        var refusal = intruder.awaitLine("REFUSED: .*", STARTUP);
        int intruderExit = intruder.awaitExit(STARTUP).orElse(-1);
        run.verdict().check("a worker without the credentials was refused", intruderExit == 1
                        && refusal.group().contains("credentials"),
                "exit code %d, it said \"%s\"", intruderExit, refusal.group());

        // 3. The master submits 100 tasks in a few transactions. An acknowledged submit is durable in ZooKeeper:
        //    from here on, no worker or leader failure can lose a task.
        TaskQueue queue = master.taskQueue();
        List<TaskSpec> specs = new ArrayList<>();
        for (int n = 1; n <= TASKS; n++) {
            specs.add(TaskSpec.builder(TYPE).payload(Integer.toString(n)).build());
        }
        List<String> ids = queue.submitAll(specs);
        run.say("master submitted %d tasks", ids.size());

        // 4. The master collects the results without polling: one future per task, completed by a watch when the
        //    task's outcome is recorded.
        List<TaskRecord> outcomes = queue.futures(ids).get(ALL_DONE.toSeconds(), TimeUnit.SECONDS);
        run.say("master received all %d outcomes", outcomes.size());

        // 5. The guarantee: every task succeeded with the right result, and each was recorded once.
        int correct = 0;
        Map<String, Integer> perWorker = new TreeMap<>();
        for (int i = 0; i < outcomes.size(); i++) {
            TaskRecord r = outcomes.get(i);
            long n = i + 1;
            if (r.state() == TaskState.SUCCEEDED && r.result() != null
                    && new String(r.result(), StandardCharsets.UTF_8).equals(Long.toString(n * n))) {
                correct++;
            }
            perWorker.merge(r.agent() == null ? "(none)" : r.agent(), 1, Integer::sum);
        }
        run.verdict().check("every result was collected and correct", correct == TASKS,
                "%d of %d tasks SUCCEEDED with n*n", correct, TASKS);
        run.verdict().fact("results by worker", "%s", perWorker);
        long recorded = queue.counts().getOrDefault(TaskState.SUCCEEDED, 0L);
        run.verdict().check("each outcome was recorded exactly once", recorded == TASKS,
                "the queue holds %d SUCCEEDED records for %d tasks", recorded, TASKS);
    }
}
