package io.ha.core.task;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what this process's queue components did (submits, assignments, outcomes, reassignments) and the
 * latency from submit to start. In-memory and per process: the agent exports them as Prometheus metrics.
 */
public final class TaskMetrics {
    /**
     * Receives start latencies: milliseconds from submit (or from becoming due) until an agent claimed the task and
     * started its handler, measured by that agent.
     */
    @FunctionalInterface
    public interface LatencyListener {
        void dispatched(String type, long millis);
    }

    private final LongAdder submitted = new LongAdder();
    private final LongAdder assigned = new LongAdder();
    private final LongAdder reassigned = new LongAdder();
    private final Map<TaskState, LongAdder> ended = new EnumMap<>(TaskState.class);
    private final CopyOnWriteArrayList<LatencyListener> latencyListeners = new CopyOnWriteArrayList<>();

    public TaskMetrics() {
        for (TaskState s : TaskState.values()) {
            if (s.isTerminal()) {
                ended.put(s, new LongAdder());
            }
        }
    }

    public void recordSubmitted(int n) {
        submitted.add(n);
    }

    public void recordAssigned(int n) {
        assigned.add(n);
    }

    /** A worker claimed {@code record} (as it was before the claim) at {@code now}. */
    public void recordStarted(TaskRecord record, long now) {
        long since = Math.max(record.createdAt(), record.notBefore());
        for (LatencyListener l : latencyListeners) {
            l.dispatched(record.type(), Math.max(0, now - since));
        }
    }

    public void recordReassigned() {
        reassigned.increment();
    }

    public void recordEnded(TaskState state) {
        LongAdder adder = ended.get(state);
        if (adder != null) {
            adder.increment();
        }
    }

    public long submitted() {
        return submitted.sum();
    }

    public long assigned() {
        return assigned.sum();
    }

    public long reassigned() {
        return reassigned.sum();
    }

    /** Outcomes recorded by this process, for a terminal state. */
    public long ended(TaskState state) {
        LongAdder adder = ended.get(state);
        return adder == null ? 0 : adder.sum();
    }

    public void addLatencyListener(LatencyListener listener) {
        latencyListeners.add(listener);
    }
}
