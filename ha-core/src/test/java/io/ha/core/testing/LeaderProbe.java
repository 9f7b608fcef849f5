package io.ha.core.testing;

import io.ha.core.leader.LeaderContext;
import io.ha.core.leader.LeaderService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A leader service shared by several members that records when each one ran leader-only work, so a test can check
 * that no two ran at the same time. Times are {@link System#nanoTime()} of this JVM, so members in one test are
 * directly comparable.
 */
public final class LeaderProbe {
    /** One stretch of leader-only work by one member. {@code end} is Long.MAX_VALUE while still running. */
    public record Interval(String agentId, long epoch, long start, long end) {
        boolean overlaps(Interval other) {
            return start < other.end && other.start < end;
        }
    }

    private final List<Interval> intervals = new ArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();

    /** The service to register on each member. */
    public LeaderService service() {
        return this::lead;
    }

    private void lead(LeaderContext ctx) throws InterruptedException {
        long start = System.nanoTime();
        int now = active.incrementAndGet();
        maxActive.accumulateAndGet(now, Math::max);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            // Leadership ended: fall through and record the interval.
        } finally {
            // Decrement before taking the end time: a successor that starts after this instant can never be counted
            // together with this one, so maxActive > 1 is a true overlap.
            active.decrementAndGet();
            long end = System.nanoTime();
            synchronized (intervals) {
                intervals.add(new Interval(ctx.agentId(), ctx.epoch(), start, end));
            }
        }
    }

    /** Completed intervals, by start time. */
    public List<Interval> intervals() {
        synchronized (intervals) {
            List<Interval> copy = new ArrayList<>(intervals);
            copy.sort(Comparator.comparingLong(Interval::start));
            return copy;
        }
    }

    public int maxConcurrentLeaders() {
        return maxActive.get();
    }

    public int activeLeaders() {
        return active.get();
    }

    /** Pairs of completed intervals that overlap in time (should be empty). */
    public List<String> overlaps() {
        List<Interval> all = intervals();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                if (all.get(i).overlaps(all.get(j))) {
                    out.add(all.get(i) + " overlaps " + all.get(j));
                }
            }
        }
        return out;
    }
}
