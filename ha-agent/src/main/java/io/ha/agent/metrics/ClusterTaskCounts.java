package io.ha.agent.metrics;

import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@link TaskQueue#counts()} read at most once per {@link #TTL_MS}: counting reads every bucket directory, so
 * frequent status requests and scrapes share one reading.
 */
public final class ClusterTaskCounts {
    public static final long TTL_MS = 2000;

    private Map<TaskState, Long> cached;
    private long readAt;

    /** The counts per state, at most {@link #TTL_MS} old. */
    public synchronized Map<TaskState, Long> get(TaskQueue queue) throws Exception {
        long now = System.currentTimeMillis();
        if (cached == null || now - readAt > TTL_MS) {
            cached = Collections.unmodifiableMap(new EnumMap<>(queue.counts()));
            readAt = now;
        }
        return cached;
    }
}
