package io.ha.chaos.report;

/**
 * The schedule's account: ticks it enqueued (tasks found in ZooKeeper), ticks that elapsed while it was enabled
 * (from its fixed-rate start to its pause), and ticks it counted as skipped.
 */
public record Ticks(long enqueued, long elapsed, long skipped) {
    /** The ticks of a fixed rate of {@code periodMs} from {@code startMs} up to and including {@code untilMs}. */
    public static long elapsed(long startMs, long periodMs, long untilMs) {
        return untilMs < startMs ? 0 : (untilMs - startMs) / periodMs + 1;
    }
}
