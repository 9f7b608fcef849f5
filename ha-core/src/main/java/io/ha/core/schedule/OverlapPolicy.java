package io.ha.core.schedule;

/** What to do when a tick is due while the task of the previous tick has not ended. */
public enum OverlapPolicy {
    /** Enqueue anyway: runs may overlap (the default). */
    ALLOW,
    /** Drop the tick. */
    SKIP,
    /** Hold the tick until the previous run ends, then fire (held ticks then count as missed). */
    QUEUE
}
