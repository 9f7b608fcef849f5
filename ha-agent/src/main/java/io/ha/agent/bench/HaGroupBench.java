package io.ha.agent.bench;

import io.ha.core.task.GroupState;
import io.ha.core.task.GroupSubmission;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.TimeUnit;

/**
 * The fan-in case of {@code ha-bench queue}: one group of no-op members and a no-op join, timed from the start of the
 * submit to the join's SUCCEEDED outcome (counted by the workers' metrics, so nothing is polled while timed).
 */
final class HaGroupBench {
    /** One group run: {@code members} plus the join in {@code seconds}. */
    record Run(int members, double seconds, double perSecond) {
    }

    private HaGroupBench() {
    }

    static Run run(HaFleet fleet, int members, byte[] payload) throws Exception {
        TaskQueue queue = fleet.queue();
        TaskSpec member = TaskSpec.builder(HaFleet.TASK_TYPE).payload(payload).build();
        long base = fleet.succeeded();
        long otherBase = fleet.otherOutcomes();
        long t0 = System.nanoTime();
        GroupSubmission group = queue.submitGroup(Collections.nCopies(members, member),
                TaskSpec.builder(HaFleet.TASK_TYPE).build());
        long deadline = t0 + Duration.ofSeconds(Math.max(120, members / 50)).toNanos();
        while (fleet.succeeded() - base < members + 1) {
            if (fleet.otherOutcomes() > otherBase) {
                throw new BenchException("HA group run: a task ended other than SUCCEEDED");
            }
            if (System.nanoTime() > deadline) {
                throw new BenchException("HA group run: " + (fleet.succeeded() - base) + " of " + (members + 1)
                        + " tasks SUCCEEDED within " + TimeUnit.NANOSECONDS.toSeconds(deadline - t0) + " s; group "
                        + queue.group(group.groupId()));
            }
            Thread.sleep(1);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        GroupState state = queue.group(group.groupId()).state();
        if (state != GroupState.ENDED && state != GroupState.JOINED) {
            throw new BenchException("HA group run: group " + group.groupId() + " is " + state + " after its join");
        }
        return new Run(members, seconds, (members + 1) / seconds);
    }
}
