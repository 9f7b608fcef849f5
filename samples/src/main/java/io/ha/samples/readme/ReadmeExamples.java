package io.ha.samples.readme;

import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.membership.MembershipListener;
import io.ha.core.schedule.MisfirePolicy;
import io.ha.core.schedule.OverlapPolicy;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.GroupSpec;
import io.ha.core.task.GroupStatus;
import io.ha.core.task.GroupSubmission;
import io.ha.core.task.JoinInput;
import io.ha.core.task.TaskFencingToken;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TypeLimit;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java examples of README.md, each block copied here verbatim (only indented), so that they compile with every
 * build; {@code ReadmeExamplesTest} fails when a block of the README and its copy here differ. Not a program to
 * run: the first example connects to servers named zk1-zk3.
 */
@SuppressWarnings("unused")
final class ReadmeExamples {
    private static final Logger log = LoggerFactory.getLogger(ReadmeExamples.class);
    private final Report report = new Report();

    private ReadmeExamples() {
    }

    /** README "Using ha-core". */
    void usingHaCore() throws Exception {
        try (HaCluster cluster = HaCluster.builder()
                .connectString("zk1:2181,zk2:2181,zk3:2181")   // omit for an embedded single server (one machine only)
                .clusterName("billing")                         // nodes live under /ha/billing
                .agentId("worker-7")                            // default <hostname>-<pid>
                .sessionTimeout(Duration.ofSeconds(15))
                .credentials(Credentials.parse(System.getenv("HA_ZK_AUTH")))   // optional: creator-only ACLs
                .build()
                .start()) {

            // Membership: who is alive, with join/leave/update events.
            cluster.membership().addListener(new MembershipListener() {
                @Override public void left(AgentInfo agent) { log.info("{} is gone", agent.id()); }
            });

            // Leader-only work: started when this process becomes leader, interrupted when it stops being leader.
            cluster.leaderElection().addService("reconciler", ctx -> {
                while (!Thread.currentThread().isInterrupted()) {
                    reconcile(ctx.epoch());          // the epoch fences writes of a deposed leader
                    Thread.sleep(1000);
                }
            });

            // Exclusive work across the cluster, with a fencing token that increases on every acquisition.
            cluster.exclusiveWork().runExclusively("nightly-report", Duration.ofSeconds(30), token -> {
                report.writeGuardedBy(token.value());
                return null;
            });
        }
    }

    /** README "Distributed tasks". */
    void distributedTasks(HaCluster cluster) throws Exception {
        // Any process (agent, service, CLI) submits; submitAll batches up to 300 tasks per ZooKeeper transaction.
        TaskQueue queue = cluster.taskQueue();
        String id = queue.submit(TaskSpec.builder("resize-image")
                .payload("{\"src\":\"s3://bucket/cat.png\"}")
                .priority(500)                        // 0-999, higher first
                .maxAttempts(5)                       // then DEAD (the dead-letter state) with the last error
                .retryBackoff(Duration.ofSeconds(2))  // doubles per attempt
                .idempotencyKey("upload-8812")        // the same key returns the same id, never a second task
                .labels(Set.of("gpu"))                // only agents with all these labels get it
                .build());
        TaskRecord done = queue.await(id, Duration.ofMinutes(5));   // SUCCEEDED | FAILED | DEAD | CANCELLED

        // Agents run tasks: at most 8 at once here; the result is stored with the task.
        cluster.worker().register("resize-image", ctx -> {
            ctx.reportProgress(50, "decoded");
            return resize(ctx.payload(), ctx.fencingToken());   // throw to retry, NonRetryableTaskException to fail now
        }, 8);
    }

    /** README "Scheduled jobs and pipelines". */
    void scheduledJobs(HaCluster cluster) throws Exception {
        Schedules schedules = cluster.schedules();
        schedules.define("hourly-model",
                Trigger.cron("0 * * * *", ZoneId.of("Europe/Berlin")),     // or Trigger.every(Duration.ofMinutes(5)),
                                                                            //    Trigger.afterPrevious(Duration.ofMinutes(10))
                TaskSpec.builder("train-model")
                        .then(TaskSpec.builder("store-result").build())    // gets train-model's result as ctx.input()
                        .onFailure(TaskSpec.builder("page-oncall").build())
                        .build(),
                Schedules.Options.defaults()
                        .withMisfire(MisfirePolicy.FIRE_ONCE)              // ticks missed while no leader: fire once now
                        .withOverlap(OverlapPolicy.ALLOW));                // or SKIP / QUEUE while the last run goes on
        schedules.pause("hourly-model");  schedules.resume("hourly-model");  schedules.triggerNow("hourly-model");
    }

    /** README "Fan-in groups, cluster-wide limits, timeouts and retries". */
    void fanIn(HaCluster cluster, TaskQueue queue) throws Exception {
        // An hourly model's output is split into 500 parts, post-processed on every agent, merged once.
        cluster.worker().register("post-process", ctx -> postProcess(ctx.payloadAsString()), 8);
        cluster.worker().register("merge", ctx -> {
            JoinInput in = JoinInput.of(ctx);                  // every member: id, state, result or error
            return in.members().stream().filter(JoinInput.Member::succeeded).map(JoinInput.Member::resultText)
                    .collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8);
        }, 1);
        List<TaskSpec> parts = IntStream.range(0, 500)
                .mapToObj(i -> TaskSpec.builder("post-process").payload("2026-12-02T14 part " + i)
                        .timeout(Duration.ofMinutes(10))       // interrupted and failed at the deadline, then retried
                        .concurrencyKey("model-42")            // counted by the type's per-key limit
                        .build()).toList();
        GroupSubmission group = queue.submitGroup(GroupSpec.builder().members(parts)
                .join(TaskSpec.builder("merge").then(TaskSpec.builder("publish").build()).build())
                .joinOnlySucceeded(TaskSpec.builder("page-oncall").build())   // instead of the merge if a part failed
                .build());
        GroupStatus status = queue.group(group.groupId());     // SUBMITTING, OPEN, JOINED, ENDED or CANCELLED;
                                                               // members per state, the join's id and state

        // Cluster-wide limits, enforced by the leader (the only dispatcher) and changed at run time.
        cluster.limits().set(TypeLimit.of("post-process")
                .maxRunning(64)                                // at most 64 running at once across all agents
                .perKey(8)                                     // at most 8 per concurrency key (1: a mutex per key)
                .rate(20, 40)                                  // at most 20 starts a second, bursts of 40
                .build());

        // Completion without polling (one shared watch); cancelling a future never cancels its task.
        CompletableFuture<List<TaskRecord>> all = queue.futures(group.memberIds());
    }

    private static byte[] postProcess(String part) {
        return part.getBytes(StandardCharsets.UTF_8);
    }

    private static void reconcile(long epoch) {
    }

    private static byte[] resize(byte[] image, TaskFencingToken token) {
        return image;
    }

    /** Stands in for the application's own report store. */
    private static final class Report {
        void writeGuardedBy(long fencingToken) {
        }
    }
}
