package io.ha.chaos.report;

import io.ha.chaos.agent.AgentWorkload;
import io.ha.chaos.fault.Fault;
import io.ha.core.task.TaskRecord;
import io.ha.testkit.check.ExclusiveLedger;
import io.ha.testkit.check.LeaderLedger;
import io.ha.testkit.check.TaskLedger;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The run's invariants, checked by the test kit's ledgers ({@link TaskLedger}, {@link LeaderLedger},
 * {@link ExclusiveLedger}) fed with the outcomes read from ZooKeeper and the agents' event logs: no acknowledged task
 * without an outcome record, none with two, no two leader-only steps or exclusive steps that took effect at one
 * instant, fencing tokens and epochs that only grow.
 *
 * <p>The zombie window: a holder that lost its lease without knowing (paused, cut off) may still act; its writes
 * carry an older token and the fenced store refuses them. Those refusals are reported apart ({@link #rejections}),
 * never counted as overlaps: only steps the store accepted are holds. The tolerated overlap is 0 ms, because a step
 * is timed from after its opening write to before its closing one, so accepted steps cannot share an instant.
 *
 * @param rejections         every refused write, leader-only and exclusive
 * @param outsideFaults      refused writes not within any fault's window (from its start to two session timeouts after
 *                           it ended): reported for inspection (an agent starved of CPU on a busy machine loses its
 *                           session without an injected fault), not an invariant
 */
public record Invariants(TaskLedger.Report tasks, LeaderLedger.Report leader, ExclusiveLedger.Report exclusive,
                         List<Rejection> rejections, int outsideFaults) {
    /** The overlap tolerated between two holds that took effect, in milliseconds. */
    public static final long TOLERATED_OVERLAP_MS = 0;

    /** A write the fenced store refused. */
    public record Rejection(String kind, String holder, long token, long at) {
    }

    public Invariants {
        rejections = List.copyOf(rejections);
    }

    /** Feeds the ledgers and checks them. */
    public static Invariants check(Map<String, Optional<TaskRecord>> outcomes, RunLog log, List<Fault> faults,
                                   Duration sessionTimeout) {
        TaskLedger tasks = new TaskLedger();
        Set<String> ids = new HashSet<>(outcomes.keySet());
        outcomes.forEach((id, record) -> {
            tasks.acknowledged(id);
            record.ifPresent(r -> Outcomes.outcomeRecords(r).forEach(state -> tasks.recorded(id, state)));
        });
        // Ticks are not acknowledged by anyone (the schedule enqueues them): only the stream's tasks are fed.
        log.runs().stream().filter(r -> ids.contains(r.task())).forEach(r -> tasks.ran(r.task(), r.agent()));

        LeaderLedger leader = new LeaderLedger();
        ExclusiveLedger exclusive = new ExclusiveLedger();
        List<Rejection> rejections = new java.util.ArrayList<>();
        for (RunLog.Step s : log.leaderSteps()) {
            if (s.accepted()) {
                leader.record(s.agent(), s.token(), s.start(), s.end());
            } else {
                rejections.add(new Rejection("leader", s.agent(), s.token(), s.end()));
            }
        }
        for (RunLog.Step s : log.exclusiveSteps()) {
            if (s.accepted()) {
                exclusive.record(AgentWorkload.LOCK, s.agent(), s.token(), s.start(), s.end());
            } else {
                exclusive.rejected(AgentWorkload.LOCK, s.agent(), s.token(), s.end());
                rejections.add(new Rejection("exclusive", s.agent(), s.token(), s.end()));
            }
        }
        rejections.sort(java.util.Comparator.comparingLong(Rejection::at));
        long margin = sessionTimeout.multipliedBy(2).toMillis();
        int outside = (int) rejections.stream().filter(r -> faults.stream()
                .noneMatch(f -> r.at() >= f.atMs() && r.at() <= f.endMs() + margin)).count();
        return new Invariants(tasks.check(), leader.check(TOLERATED_OVERLAP_MS),
                exclusive.check(TOLERATED_OVERLAP_MS), rejections, outside);
    }

    /** True when every invariant held. */
    public boolean held() {
        return tasks.lost().isEmpty() && tasks.recordedTwice().isEmpty() && leader.isClean() && exclusive.isClean();
    }

    /** What failed, one line each; empty when {@link #held()}. */
    public List<String> failures() {
        List<String> f = new java.util.ArrayList<>();
        if (!tasks.lost().isEmpty()) {
            f.add(tasks.lost().size() + " acknowledged tasks have no outcome record: " + first(tasks.lost()));
        }
        if (!tasks.recordedTwice().isEmpty()) {
            f.add(tasks.recordedTwice().size() + " tasks have two outcome records: "
                    + first(tasks.recordedTwice().keySet()));
        }
        if (!leader.isClean()) {
            f.add("leader-only work overlapped or reused an epoch: " + leader.describe());
        }
        if (!exclusive.isClean()) {
            f.add("exclusive work overlapped or a token went back: " + exclusive.describe());
        }
        return f;
    }

    private static String first(Set<String> ids) {
        return ids.stream().limit(5).toList() + (ids.size() > 5 ? " ..." : "");
    }
}
