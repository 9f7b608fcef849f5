package io.ha.core.schedule;

/** What to do with ticks that passed while no leader could fire them (failover, outage, QUEUE overlap). */
public enum MisfirePolicy {
    /** Fire once now for the latest missed tick (the default). */
    FIRE_ONCE,
    /**
     * Fire every missed tick when at most the schedule's misfire limit were missed; beyond that only the latest
     * (the others are counted as skipped).
     */
    FIRE_ALL,
    /** Fire none of them; continue with the next tick in the future. */
    SKIP
}
