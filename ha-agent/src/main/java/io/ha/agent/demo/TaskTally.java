package io.ha.agent.demo;

import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the task records say once the run is over: successes per agent and the tasks that were reassigned. Reads only
 * the records (agent, attempt, history), so it reports what ZooKeeper holds, not what the demo believes.
 */
final class TaskTally {
    private TaskTally() {
    }

    /**
     * True when the task was taken back from an agent and given another attempt: an attempt above 1, or a history
     * entry that sent it back to pending.
     */
    static boolean reassigned(TaskRecord record) {
        return record.attempt() > 1 || record.history().stream()
                .anyMatch(e -> e.state() == TaskState.PENDING && e.attempt() > 1);
    }

    /** The agent of the first attempt, if the record still says so. */
    static Optional<String> firstAgent(TaskRecord record) {
        return record.history().stream().filter(e -> e.attempt() == 1 && e.agent() != null)
                .map(TaskEvent::agent).findFirst();
    }

    /** True when the first attempt had started (its handler was running when the agent went away). */
    static boolean firstAttemptWasRunning(TaskRecord record) {
        return record.history().stream().anyMatch(e -> e.attempt() == 1 && e.state() == TaskState.RUNNING);
    }

    /** SUCCEEDED records per agent that ran them, sorted by agent id; every agent in {@code agents} is present. */
    static Map<String, Long> succeededPerAgent(Collection<TaskRecord> succeeded, List<String> agents) {
        Map<String, Long> perAgent = new TreeMap<>();
        agents.forEach(a -> perAgent.put(a, 0L));
        for (TaskRecord r : succeeded) {
            perAgent.merge(r.agent() == null ? "(unknown)" : r.agent(), 1L, Long::sum);
        }
        return perAgent;
    }

    /** The reassigned tasks' summary line: how many, from which agent, running or only assigned at the time. */
    static String describeReassigned(Collection<TaskRecord> records) {
        List<TaskRecord> moved = records.stream().filter(TaskTally::reassigned).toList();
        if (moved.isEmpty()) {
            return "none";
        }
        Map<String, Long> from = new TreeMap<>();
        long running = 0;
        for (TaskRecord r : moved) {
            from.merge(firstAgent(r).orElse("?"), 1L, Long::sum);
            if (firstAttemptWasRunning(r)) {
                running++;
            }
        }
        StringBuilder sb = new StringBuilder().append(moved.size()).append(moved.size() == 1 ? " task" : " tasks")
                .append(" (from ");
        from.forEach((agent, n) -> sb.append(agent).append(": ").append(n).append(", "));
        sb.setLength(sb.length() - 2);
        sb.append("; ").append(running).append(" had been running, ").append(moved.size() - running)
                .append(" only assigned); each got a new attempt on a live agent");
        return sb.toString();
    }
}
