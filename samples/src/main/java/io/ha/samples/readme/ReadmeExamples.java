package io.ha.samples.readme;

import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.membership.MembershipListener;
import io.ha.core.schedule.MisfirePolicy;
import io.ha.core.schedule.OverlapPolicy;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskFencingToken;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Set;
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
