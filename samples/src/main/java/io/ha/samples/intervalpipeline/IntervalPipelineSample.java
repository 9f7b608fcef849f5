/*
 * Sample "interval-pipeline": an interval job's result is processed by a follow-up on another agent, and no result is
 * lost when the processing agent is killed mid-way.
 *
 * Guarantee shown: a schedule fires exactly one task per tick across the cluster (only the leader fires, and the tick
 * is the task's idempotency key); each run's result becomes the input of exactly one follow-up, created in the same
 * ZooKeeper transaction that records the result, so nothing can fall between the two; a follow-up whose agent is
 * killed with SIGKILL runs again on another agent once the dead agent's session has expired, with the same input, and
 * succeeds there. The pipeline's state can be watched with ha-ctl while it runs.
 * Not shown (not guaranteed): that a step runs only once. The killed agent had already started processing, so that
 * result was processed twice (at-least-once): real follow-ups must be idempotent or fenced with the task's token.
 * Nor that a tick fires at its exact time: the leader checks at least every second, and a failover delays ticks.
 */
package io.ha.samples.intervalpipeline;

import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.MisfirePolicy;
import io.ha.core.schedule.ScheduleRecord;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.samples.Sample;
import io.ha.samples.SampleProcess;
import io.ha.samples.SampleRun;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** See the comment at the top of this file. */
public final class IntervalPipelineSample implements Sample {
    static final String ALGORITHM = "algorithm";
    static final String PROCESS = "process";
    private static final String SCHEDULE = "model";
    private static final Duration PERIOD = Duration.ofSeconds(3);
    private static final int TICKS = 7;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final Pattern PROCESSING = Pattern.compile("processing task (\\S+) \\(attempt (\\d+)\\)");

    @Override
    public String name() {
        return "interval-pipeline";
    }

    @Override
    public String shows() {
        return "a schedule runs an algorithm every 3 s and a follow-up processes each result on another agent; the"
                + " processing agent is killed mid-way and no result is lost; ha-ctl watch shows it running";
    }

    @Override
    public void run(SampleRun run) throws Exception {
        // 1. Four agent machines: two "compute" agents for the algorithm, two "process" agents for its follow-up.
        //    compute-1 starts alone first so that it wins the election: the leader is the one that fires schedules
        //    and assigns tasks, and the agent killed later is then never the leader (that would be a failover too).
        //    The leader gives a task to the least busy agent with the task's label (ties: the lowest id), so with
        //    one run at a time compute-1 computes them all and compute-2 stands by.
        HaCluster observer = run.observer();
        run.node("compute-1", PipelineAgent.class, "--role", PipelineAgent.COMPUTE);
        run.await("compute-1 to lead", STARTUP, () -> leader(observer).equals("compute-1"));
        run.node("compute-2", PipelineAgent.class, "--role", PipelineAgent.COMPUTE);
        List<SampleProcess> processors = List.of(
                run.node("process-1", PipelineAgent.class, "--role", PipelineAgent.PROCESS),
                run.node("process-2", PipelineAgent.class, "--role", PipelineAgent.PROCESS));
        run.await("4 agents to join", STARTUP, () -> observer.membership().size() == 4);
        run.say("4 agents joined; the leader is %s", leader(observer));

        // 2. The schedule: every 3 s an "algorithm" task for a compute agent, then a "process" follow-up for a process
        //    agent with the algorithm's result as input. The definition lives in ZooKeeper, not in any one agent:
        //    whichever agent leads fires it. FIRE_ALL: a tick the leader was late for still gets its run.
        Schedules schedules = observer.schedules();
        Trigger trigger = Trigger.every(PERIOD);
        schedules.define(SCHEDULE, trigger,
                TaskSpec.builder(ALGORITHM).labels(Set.of(PipelineAgent.COMPUTE))
                        .then(TaskSpec.builder(PROCESS).labels(Set.of(PipelineAgent.PROCESS)).build())
                        .build(),
                Schedules.Options.defaults().withMisfire(MisfirePolicy.FIRE_ALL));
        run.say("schedule '%s' defined: %s, %s -> %s; watch it from another terminal while this runs:", SCHEDULE,
                trigger.describe(), ALGORITHM, PROCESS);
        run.say("  bin/ha-ctl --zk %s --cluster %s --auth-file %s watch", run.connectString(), run.clusterName(),
                run.secretFile());

        // 3. Once the first result is being processed, ha-ctl looks at the cluster as an operator would: one frame
        //    of `watch` (--once), read from ZooKeeper alone: the leader, the agents and the tasks running now.
        awaitNewProcessing(run, processors);
        checkWatch(run);

        // 4. kill -9 of the process agent that is processing right now. Its task stays assigned to it until its
        //    ZooKeeper session expires (4 s); then the leader moves the task back to pending with attempt + 1 and
        //    assigns it to the other process agent, with the same input: the result is not lost.
        Processing processing = awaitNewProcessing(run, processors);
        SampleProcess victim = processing.agent();
        String killedTask = processing.taskId();
        long killedAt = System.nanoTime();
        victim.kill();
        run.say("killed %s (kill -9) while it processed task %s", victim.id(), killedTask);
        TaskRecord moved = observer.taskQueue().await(killedTask, STEP);
        run.say("task %s ended %s on %s at attempt %d, %.1f s after the kill", killedTask, moved.state(),
                moved.agent(), moved.attempt(), (System.nanoTime() - killedAt) / 1e9);

        // 5. After the last tick, pause the schedule (paused at once after a tick: no tick is due meanwhile) and let
        //    the runs already enqueued finish.
        run.await(TICKS + " ticks to fire", PERIOD.multipliedBy(TICKS).plus(STEP),
                () -> schedule(observer).firedTicks() >= TICKS);
        schedules.pause(SCHEDULE);
        long fired = schedule(observer).firedTicks();
        run.say("schedule paused after %d ticks; waiting for the last runs", fired);
        run.await("the last runs to finish", STEP, () -> audit(observer).settled(fired));

        // 6. The guarantee, from the task records in ZooKeeper.
        ScheduleRecord record = schedule(observer);
        PipelineAudit audit = audit(observer);
        audit.checkOneTaskPerTick(run.verdict(), record, PERIOD.toMillis());
        audit.checkOneFollowUpEach(run.verdict());
        audit.checkEveryResultProcessed(run.verdict());
        audit.checkReassigned(run.verdict(), killedTask, victim.id());
        run.verdict().fact("ticks", "%d fired every %d s by the leader, %d skipped", record.firedTicks(),
                PERIOD.toSeconds(), record.skippedTicks());
        audit.facts(run.verdict(), victim.id());
    }

    /** Runs {@code ha-ctl watch --once} as a user would and checks that it showed the pipeline at work. */
    private static void checkWatch(SampleRun run) throws Exception {
        SampleProcess ctl = run.process("ha-ctl", "io.ha.agent.cli.CtlMain", List.of(), List.of("--zk",
                run.connectString(), "--cluster", run.clusterName(), "--auth-file", run.secretFile().toString(),
                "watch", "--once"));
        int exit = ctl.awaitExit(STEP).orElse(-1);
        List<String> lines = ctl.lines();
        boolean leader = lines.stream().anyMatch(l -> l.matches("Leader: +compute-1 .*"));
        List<String> running = lines.stream().filter(l -> l.matches(" +\\S+ +(" + ALGORITHM + "|" + PROCESS
                + ") +\\S+ +\\d+/\\d+ .*")).map(l -> l.trim().replaceAll(" +", " ")).toList();
        run.verdict().check("ha-ctl watch showed the pipeline at work", exit == 0 && leader && !running.isEmpty(),
                "exit code %d, leader compute-1 %s, running: %s", exit, leader ? "shown" : "NOT shown",
                running.isEmpty() ? "none" : String.join("; ", running));
    }

    /** A process agent and the task it said it started processing. */
    private record Processing(SampleProcess agent, String taskId) {
    }

    /** Waits until a process agent prints a "processing" line it had not printed yet, and returns it. */
    private static Processing awaitNewProcessing(SampleRun run, List<SampleProcess> agents) throws Exception {
        List<Integer> before = agents.stream().map(IntervalPipelineSample::processingLines).map(List::size).toList();
        run.await("a process agent to start processing", STEP, () -> {
            for (int i = 0; i < agents.size(); i++) {
                if (processingLines(agents.get(i)).size() > before.get(i)) {
                    return true;
                }
            }
            return false;
        });
        for (int i = 0; i < agents.size(); i++) {
            List<String> lines = processingLines(agents.get(i));
            if (lines.size() > before.get(i)) {
                Matcher m = PROCESSING.matcher(lines.get(lines.size() - 1));
                return new Processing(agents.get(i), m.find() ? m.group(1) : "?");
            }
        }
        throw new IllegalStateException("unreachable: a new processing line was seen");
    }

    private static List<String> processingLines(SampleProcess agent) {
        return agent.lines().stream().filter(l -> PROCESSING.matcher(l).find()).toList();
    }

    private static String leader(HaCluster observer) {
        try {
            return observer.leaderElection().currentLeader().orElse("");
        } catch (Exception e) {
            return "";
        }
    }

    private static ScheduleRecord schedule(HaCluster observer) {
        try {
            return observer.schedules().get(SCHEDULE).orElseThrow().record();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read schedule '" + SCHEDULE + "': " + e.getMessage(), e);
        }
    }

    private static PipelineAudit audit(HaCluster observer) {
        try {
            return PipelineAudit.read(observer.taskQueue());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the task queue: " + e.getMessage(), e);
        }
    }
}
