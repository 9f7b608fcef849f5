package io.ha.testkit.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks "no overlapping exclusive work per lock, and fencing tokens that only grow" over the stretches of exclusive
 * work a test feeds it: each one a lock name, a holder, the fencing token it ran under, and when it started and
 * ended; plus the writes a fenced resource refused for a stale token ({@link #rejected}), which are reported, not
 * counted against it.
 *
 * <p>Times are longs in one unit the caller chooses; intervals are half-open, {@code [start, end)}. {@link #begin}
 * times by {@link System#nanoTime()}; a ledger refuses to mix it with {@link #record}'s explicit times. Record only
 * work that took effect: a zombie's write that was refused is a {@link #rejected rejection}, not a hold. Thread-safe.
 *
 * <p>It checks only what it is fed, lock by lock; work under two different lock names never conflicts.
 */
public final class ExclusiveLedger {
    /** One stretch of exclusive work; {@code open} when it had not ended at the check (then {@code end} is then). */
    public record Hold(String lock, String holder, long fencingToken, long start, long end, boolean open) {
        @Override
        public String toString() {
            return lock + " by " + holder + " token " + fencingToken + " [" + start + ", " + end
                    + (open ? " open)" : ")");
        }
    }

    /** Two holds of one lock that share {@code length} time units; {@code first} started first. */
    public record Overlap(Hold first, Hold second, long length) {
        @Override
        public String toString() {
            return first + " and " + second + " overlap by " + length;
        }
    }

    /**
     * A fencing token used wrongly on one lock: {@code later} (by start) has a lower token than {@code earlier}, or
     * the same token under another holder.
     */
    public record TokenConflict(Hold earlier, Hold later) {
        @Override
        public String toString() {
            return (earlier.fencingToken() == later.fencingToken() ? "token " + later.fencingToken()
                    + " held by two holders: " : "token went back: ") + later + " started after " + earlier;
        }
    }

    /** A write a fenced resource refused at {@code at} because {@code fencingToken} was stale. */
    public record Rejection(String lock, String holder, long fencingToken, long at) {
        @Override
        public String toString() {
            return lock + " refused " + holder + " token " + fencingToken + " at " + at;
        }
    }

    /** What {@link #check} found. Immutable. */
    public record Report(List<Hold> holds, List<Overlap> overlaps, List<Overlap> tolerated,
            List<TokenConflict> tokensOutOfOrder, List<Rejection> rejections, long toleratedOverlap) {
        /** Copies every collection: a report does not change when the ledger does. */
        public Report {
            holds = List.copyOf(holds);
            overlaps = List.copyOf(overlaps);
            tolerated = List.copyOf(tolerated);
            tokensOutOfOrder = List.copyOf(tokensOutOfOrder);
            rejections = List.copyOf(rejections);
        }

        /** No overlap beyond the tolerance and no token conflict (tolerated overlaps and rejections are allowed). */
        public boolean isClean() {
            return overlaps.isEmpty() && tokensOutOfOrder.isEmpty();
        }

        /** A readable account: counts, then each finding (at most 20 of each kind). */
        public String describe() {
            return new Describe("ExclusiveLedger: " + holds.size() + " holds, " + rejections.size()
                    + " stale-token rejections, tolerated overlap " + toleratedOverlap + ": "
                    + (isClean() ? "clean" : "NOT clean"))
                    .section("overlaps beyond the tolerance", overlaps)
                    .section("fencing tokens out of order", tokensOutOfOrder)
                    .section("tolerated overlaps", tolerated)
                    .section("rejections", rejections)
                    .toString();
        }

        /** @throws AssertionError with {@link #describe()} unless {@link #isClean()} */
        public Report assertClean() {
            if (!isClean()) {
                throw new AssertionError(describe());
            }
            return this;
        }
    }

    /** Exclusive work begun with {@link #begin}, timed by {@link System#nanoTime()}; {@link #end()} records it. */
    public final class Interval implements AutoCloseable {
        private final String lock;
        private final String holder;
        private final long fencingToken;
        private final long start;
        private boolean ended;

        private Interval(String lock, String holder, long fencingToken, long start) {
            this.lock = lock;
            this.holder = holder;
            this.fencingToken = fencingToken;
            this.start = start;
        }

        /**
         * Ends the work now and records it.
         *
         * @throws IllegalStateException if it was already ended
         */
        public Hold end() {
            synchronized (ExclusiveLedger.this) {
                if (ended) {
                    throw new IllegalStateException("exclusive work on " + lock + " by " + holder + " token "
                            + fencingToken + " already ended");
                }
                ended = true;
                open.remove(this);
                Hold hold = new Hold(lock, holder, fencingToken, start, System.nanoTime(), false);
                holds.add(hold);
                return hold;
            }
        }

        /** Ends the work unless it already ended (for try-with-resources). */
        @Override
        public void close() {
            synchronized (ExclusiveLedger.this) {
                if (!ended) {
                    end();
                }
            }
        }
    }

    private final List<Hold> holds = new ArrayList<>();
    private final Set<Interval> open = new LinkedHashSet<>();
    private final List<Rejection> rejections = new ArrayList<>();
    private final Clocks clocks = new Clocks("ExclusiveLedger");

    /**
     * Records one stretch of exclusive work with explicit times.
     *
     * @throws IllegalArgumentException if {@code lock} or {@code holder} is blank or {@code end < start}
     * @throws IllegalStateException if this ledger already holds {@link #begin} intervals
     */
    public void record(String lock, String holder, long fencingToken, long start, long end) {
        Clocks.requireName("lock", lock);
        Clocks.requireName("holder", holder);
        Clocks.requireOrdered("exclusive work on " + lock + " by " + holder + " token " + fencingToken, start, end);
        clocks.explicitTimes();
        synchronized (this) {
            holds.add(new Hold(lock, holder, fencingToken, start, end, false));
        }
    }

    /**
     * Begins exclusive work now ({@link System#nanoTime()}); end it with {@link Interval#end()}.
     *
     * @throws IllegalArgumentException if {@code lock} or {@code holder} is blank
     * @throws IllegalStateException if this ledger already holds intervals with explicit times
     */
    public Interval begin(String lock, String holder, long fencingToken) {
        Clocks.requireName("lock", lock);
        Clocks.requireName("holder", holder);
        long start = clocks.nanoTimeNow();
        synchronized (this) {
            Interval interval = new Interval(lock, holder, fencingToken, start);
            open.add(interval);
            return interval;
        }
    }

    /**
     * Records a write refused for a stale token, at {@code at} in the ledger's unit (the caller's clock; with
     * {@link #begin} intervals, {@link System#nanoTime()}). Rejections are reported and never make a report unclean.
     *
     * @throws IllegalArgumentException if {@code lock} or {@code holder} is blank
     */
    public synchronized void rejected(String lock, String holder, long fencingToken, long at) {
        Clocks.requireName("lock", lock);
        Clocks.requireName("holder", holder);
        rejections.add(new Rejection(lock, holder, fencingToken, at));
    }

    /** {@code check(0)}: any shared instant of two holds of one lock is an overlap. */
    public Report check() {
        return check(0);
    }

    /**
     * Checks every hold so far, lock by lock. Two holds of one lock that share more than {@code toleratedOverlap} time
     * units are an overlap; those that share less or as much are reported apart as tolerated (the zombie window).
     * Tokens of one lock, by start time, must never decrease, and one token belongs to one holder.
     *
     * @throws IllegalArgumentException if {@code toleratedOverlap < 0}
     */
    public Report check(long toleratedOverlap) {
        Clocks.requireTolerance(toleratedOverlap);
        List<Hold> all = new ArrayList<>();
        List<Rejection> refused;
        synchronized (this) {
            all.addAll(holds);
            long now = open.isEmpty() ? 0 : Clocks.openEnd();
            for (Interval i : open) {
                all.add(new Hold(i.lock, i.holder, i.fencingToken, i.start, Math.max(now, i.start), true));
            }
            refused = new ArrayList<>(rejections);
        }
        all.sort(Comparator.comparingLong(Hold::start).thenComparingLong(Hold::end));
        refused.sort(Comparator.comparingLong(Rejection::at));
        Map<String, List<Hold>> byLock = new HashMap<>();
        for (Hold hold : all) {
            byLock.computeIfAbsent(hold.lock(), l -> new ArrayList<>()).add(hold);
        }
        List<Overlap> overlaps = new ArrayList<>();
        List<Overlap> tolerated = new ArrayList<>();
        List<TokenConflict> tokens = new ArrayList<>();
        for (List<Hold> ofLock : byLock.values()) {
            Sweep.pairs(ofLock, Hold::start, Hold::end, (a, b, length) ->
                    (length > toleratedOverlap ? overlaps : tolerated).add(new Overlap(a, b, length)));
            tokens.addAll(tokenConflicts(ofLock));
        }
        Comparator<Overlap> byFirst = Comparator.comparingLong(o -> o.first().start());
        overlaps.sort(byFirst);
        tolerated.sort(byFirst);
        tokens.sort(Comparator.comparingLong(t -> t.later().start()));
        return new Report(all, overlaps, tolerated, tokens, refused, toleratedOverlap);
    }

    private static List<TokenConflict> tokenConflicts(List<Hold> byStart) {
        List<TokenConflict> conflicts = new ArrayList<>();
        Hold highest = null;
        for (Hold hold : byStart) {
            if (highest != null && (hold.fencingToken() < highest.fencingToken()
                    || hold.fencingToken() == highest.fencingToken() && !hold.holder().equals(highest.holder()))) {
                conflicts.add(new TokenConflict(highest, hold));
            }
            if (highest == null || hold.fencingToken() > highest.fencingToken()) {
                highest = hold;
            }
        }
        return conflicts;
    }
}
