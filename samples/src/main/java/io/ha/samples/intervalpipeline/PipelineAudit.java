package io.ha.samples.intervalpipeline;

import io.ha.core.schedule.ScheduleRecord;
import io.ha.core.task.TaskQueries;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.samples.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The interval-pipeline's evidence: every task record of the run, read back from ZooKeeper once the last runs have
 * ended, and the checks made on them. Nothing here trusts what the agents printed; the records are what a user
 * would find.
 *
 * <p>Guarantee: each check states the property and its evidence (counts, ids, ticks), and fails when any record
 * breaks it. Not guaranteed: a consistent snapshot while tasks still move; read it only when none is active.
 */
final class PipelineAudit {
    private static final int LIST_LIMIT = 1000;

    private final List<TaskRecord> algorithms;
    private final List<TaskRecord> followUps;
    private final Map<String, TaskRecord> byId;

    private PipelineAudit(List<TaskRecord> all) {
        this.byId = all.stream().collect(Collectors.toMap(TaskRecord::id, Function.identity(), (a, b) -> a));
        this.algorithms = all.stream().filter(r -> r.type().equals(IntervalPipelineSample.ALGORITHM))
                .sorted(Comparator.comparingLong(TaskRecord::createdAt)).toList();
        this.followUps = all.stream().filter(r -> r.type().equals(IntervalPipelineSample.PROCESS)).toList();
    }

    /** Reads every task of the queue, in every state. */
    static PipelineAudit read(TaskQueries queue) throws Exception {
        List<TaskRecord> all = new ArrayList<>();
        for (TaskState state : TaskState.values()) {
            all.addAll(queue.list(state, LIST_LIMIT));
        }
        return new PipelineAudit(all);
    }

    /**
     * True when the schedule's runs have all ended: at least {@code firedTicks} algorithm tasks, each ended, and every
     * follow-up they created ended too. Looked up by the ids the outcomes recorded, not by counts: a listing may miss
     * a task that moves between states while it is read, an outcome's children never.
     */
    boolean settled(long firedTicks) {
        return algorithms.size() >= firedTicks && algorithms.stream().allMatch(a -> a.state().isTerminal()
                && a.children().stream().allMatch(id -> byId.containsKey(id) && byId.get(id).state().isTerminal()));
    }

    /**
     * One algorithm task per tick: as many tasks as the schedule counts fired ticks, each with its own tick, the
     * ticks one period apart with none missing in between.
     */
    void checkOneTaskPerTick(Verdict verdict, ScheduleRecord schedule, long periodMillis) {
        List<Long> ticks = algorithms.stream().map(r -> TickKeys.tickTime(r.idempotencyKey()).orElse(-1L))
                .sorted().toList();
        long distinct = ticks.stream().distinct().count();
        boolean allTicks = !ticks.isEmpty() && ticks.get(0) > 0;
        boolean evenlySpaced = true;
        for (int i = 1; i < ticks.size(); i++) {
            evenlySpaced &= ticks.get(i) - ticks.get(i - 1) == periodMillis;
        }
        boolean held = allTicks && evenlySpaced && distinct == ticks.size() && ticks.size() == schedule.firedTicks()
                && schedule.skippedTicks() == 0;
        verdict.check("each tick fired exactly one algorithm run", held,
                "%d algorithm tasks for %d fired ticks (%d skipped), %d distinct tick keys, %s",
                ticks.size(), schedule.firedTicks(), schedule.skippedTicks(), distinct, !allTicks
                        ? "some task has no tick key" : evenlySpaced ? "every " + periodMillis + " ms from "
                        + TickKeys.clock(ticks.get(0)) + " to " + TickKeys.clock(ticks.get(ticks.size() - 1))
                        + " with none missing" : "ticks not one period apart: " + ticks);
    }

    /** Every algorithm run succeeded and its success created exactly one follow-up, and no follow-up is an orphan. */
    void checkOneFollowUpEach(Verdict verdict) {
        long succeeded = algorithms.stream().filter(r -> r.state() == TaskState.SUCCEEDED).count();
        long withOne = algorithms.stream().filter(r -> r.state() == TaskState.SUCCEEDED)
                .filter(r -> r.children().size() == 1).filter(r -> followUpOf(r).isPresent()).count();
        verdict.check("every algorithm run has exactly one process follow-up",
                succeeded == algorithms.size() && withOne == succeeded && followUps.size() == succeeded,
                "%d of %d algorithm runs SUCCEEDED, %d of them with exactly one '%s' child; %d '%s' tasks in all",
                succeeded, algorithms.size(), withOne, IntervalPipelineSample.PROCESS, followUps.size(),
                IntervalPipelineSample.PROCESS);
    }

    /**
     * No result was lost: every follow-up SUCCEEDED with its algorithm's result as input, and its own result shows
     * that the handler processed exactly that input.
     */
    void checkEveryResultProcessed(Verdict verdict) {
        List<String> bad = new ArrayList<>();
        String example = "";
        for (TaskRecord algorithm : algorithms) {
            TaskRecord followUp = followUpOf(algorithm).orElse(null);
            byte[] result = algorithm.result();
            boolean ok = followUp != null && result != null && followUp.state() == TaskState.SUCCEEDED
                    && Arrays.equals(followUp.input(), result)
                    && ("stored " + text(result)).equals(text(followUp.result()));
            if (!ok) {
                bad.add(algorithm.id() + (followUp == null ? " (no follow-up)" : " -> " + followUp.id() + " "
                        + followUp.state() + " input '" + text(followUp.input()) + "' result '"
                        + text(followUp.result()) + "'"));
            } else if (example.isEmpty()) {
                example = "; e.g. " + followUp.id() + " got '" + text(result) + "'";
            }
        }
        verdict.check("every result was processed: each follow-up SUCCEEDED with its algorithm's result as input",
                bad.isEmpty() && !algorithms.isEmpty(), "%d of %d follow-ups%s", algorithms.size() - bad.size(),
                algorithms.size(), bad.isEmpty() ? example : "; wrong: " + bad.subList(0, Math.min(3, bad.size()))
                        + (bad.size() > 3 ? " and " + (bad.size() - 3) + " more" : ""));
    }

    /** The follow-up the killed agent was processing ran again on another agent and succeeded there. */
    void checkReassigned(Verdict verdict, String taskId, String killedAgent) {
        TaskRecord r = byId.get(taskId);
        boolean ranOnKilled = r != null && r.history().stream()
                .anyMatch(e -> e.state() == TaskState.RUNNING && killedAgent.equals(e.agent()));
        boolean held = r != null && ranOnKilled && r.state() == TaskState.SUCCEEDED && r.attempt() > 1
                && r.agent() != null && !r.agent().equals(killedAgent);
        verdict.check("the killed agent's follow-up was reassigned and completed elsewhere", held,
                r == null ? "task %s not found" : "task %s %s the killed %s, ended at attempt %d %s on %s",
                r == null ? new Object[] {taskId} : new Object[] {taskId, ranOnKilled ? "ran on" : "never ran on",
                        killedAgent, r.attempt(), r.state(), r.agent()});
    }

    /** Runs per agent, and the follow-ups that had to move off the killed agent, for the summary. */
    void facts(Verdict verdict, String killedAgent) {
        verdict.fact("algorithm runs by agent", "%s", perAgent(algorithms));
        verdict.fact("follow-ups by agent", "%s", perAgent(followUps));
        // The kill is the run's only failure: a follow-up needed a second attempt only if it had been given to the
        // killed agent (running there, or assigned there before its session expired).
        List<String> moved = followUps.stream().filter(r -> r.attempt() > 1)
                .map(r -> r.id() + " attempt " + r.attempt() + " " + r.state() + " on " + r.agent()).toList();
        verdict.fact("follow-ups run again after the kill of " + killedAgent, "%d: %s", moved.size(), moved);
    }

    private Optional<TaskRecord> followUpOf(TaskRecord algorithm) {
        return algorithm.children().stream().map(byId::get).filter(c -> c != null
                && c.type().equals(IntervalPipelineSample.PROCESS) && algorithm.id().equals(c.parentId()))
                .findFirst();
    }

    private static Map<String, Integer> perAgent(List<TaskRecord> records) {
        Map<String, Integer> counts = new TreeMap<>();
        records.forEach(r -> counts.merge(r.agent() == null ? "(none)" : r.agent(), 1, Integer::sum));
        return counts;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
