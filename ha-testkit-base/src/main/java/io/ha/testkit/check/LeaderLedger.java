package io.ha.testkit.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks "at most one leader per instant and per epoch" over the leadership intervals a test feeds it: each one a
 * holder (a member or agent id), the epoch it led under, and when its leader-only work started and ended.
 *
 * <p>Times are longs in one unit the caller chooses (epoch milliseconds from a log several processes wrote,
 * {@link System#nanoTime()} in one JVM); intervals are half-open, {@code [start, end)}, so a successor that starts the
 * instant its predecessor ends does not overlap it. {@link #begin} times by {@link System#nanoTime()}; a ledger
 * refuses to mix it with {@link #record}'s explicit times (they cannot be compared). Thread-safe.
 *
 * <p>It checks only what it is fed: an interval the test did not record (a process killed before it logged its end)
 * is not checked, and a check of open {@link #begin} intervals takes them as ending now.
 */
public final class LeaderLedger {
    /** One leadership interval; {@code open} when it had not ended at the check (then {@code end} is that instant). */
    public record Term(String holder, long epoch, long start, long end, boolean open) {
        /** How long it lasted (up to the check, if open). */
        public long length() {
            return end - start;
        }

        @Override
        public String toString() {
            return holder + " epoch " + epoch + " [" + start + ", " + end + (open ? " open)" : ")");
        }
    }

    /** Two intervals that share {@code length} time units; {@code first} started first. */
    public record Overlap(Term first, Term second, long length) {
        @Override
        public String toString() {
            return first + " and " + second + " overlap by " + length;
        }
    }

    /**
     * An epoch used wrongly: {@code later} (by start) has the same epoch as {@code earlier} under another holder, or a
     * lower epoch than {@code earlier}, which started before it.
     */
    public record EpochConflict(Term earlier, Term later) {
        /** Whether the conflict is one epoch under two holders (else: the epoch went back). */
        public boolean sameEpoch() {
            return earlier.epoch() == later.epoch();
        }

        @Override
        public String toString() {
            return sameEpoch() ? "epoch " + later.epoch() + " held by two holders: " + earlier + " and " + later
                    : "epoch went back: " + later + " started after " + earlier;
        }
    }

    /** What {@link #check} found. Immutable. */
    public record Report(List<Term> intervals, List<Overlap> overlaps, List<Overlap> tolerated,
            List<EpochConflict> epochsReused, int maxConcurrent, long toleratedOverlap) {
        /** Copies every collection: a report does not change when the ledger does. */
        public Report {
            intervals = List.copyOf(intervals);
            overlaps = List.copyOf(overlaps);
            tolerated = List.copyOf(tolerated);
            epochsReused = List.copyOf(epochsReused);
        }

        /** No overlap beyond the tolerance and no epoch conflict (tolerated overlaps do not make it unclean). */
        public boolean isClean() {
            return overlaps.isEmpty() && epochsReused.isEmpty();
        }

        /** A readable account: counts, then each finding (at most 20 of each kind). */
        public String describe() {
            long open = intervals.stream().filter(Term::open).count();
            return new Describe("LeaderLedger: " + intervals.size() + " intervals (" + open + " open), at most "
                    + maxConcurrent + " at once, tolerated overlap " + toleratedOverlap + ": "
                    + (isClean() ? "clean" : "NOT clean"))
                    .section("overlaps beyond the tolerance", overlaps)
                    .section("epoch conflicts", epochsReused)
                    .section("tolerated overlaps", tolerated)
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

    /** A leadership begun with {@link #begin}, timed by {@link System#nanoTime()}; {@link #end()} records it. */
    public final class Interval implements AutoCloseable {
        private final String holder;
        private final long epoch;
        private final long start;
        private boolean ended;

        private Interval(String holder, long epoch, long start) {
            this.holder = holder;
            this.epoch = epoch;
            this.start = start;
        }

        /** Who leads. */
        public String holder() {
            return holder;
        }

        /** The epoch it leads under. */
        public long epoch() {
            return epoch;
        }

        /** When it began, by {@link System#nanoTime()}. */
        public long start() {
            return start;
        }

        /**
         * Ends the interval now and records it.
         *
         * @throws IllegalStateException if it was already ended
         */
        public Term end() {
            synchronized (LeaderLedger.this) {
                if (ended) {
                    throw new IllegalStateException("interval of " + holder + " epoch " + epoch + " already ended");
                }
                ended = true;
                open.remove(this);
                Term term = new Term(holder, epoch, start, System.nanoTime(), false);
                terms.add(term);
                return term;
            }
        }

        /** Ends the interval unless it already ended (for try-with-resources). */
        @Override
        public void close() {
            synchronized (LeaderLedger.this) {
                if (!ended) {
                    end();
                }
            }
        }
    }

    private final List<Term> terms = new ArrayList<>();
    private final Set<Interval> open = new LinkedHashSet<>();
    private final Clocks clocks = new Clocks("LeaderLedger");

    /**
     * Records one leadership interval with explicit times.
     *
     * @throws IllegalArgumentException if {@code holder} is blank or {@code end < start}
     * @throws IllegalStateException if this ledger already holds {@link #begin} intervals
     */
    public void record(String holder, long epoch, long start, long end) {
        Clocks.requireName("holder", holder);
        Clocks.requireOrdered("interval of " + holder + " epoch " + epoch, start, end);
        clocks.explicitTimes();
        synchronized (this) {
            terms.add(new Term(holder, epoch, start, end, false));
        }
    }

    /**
     * Begins a leadership interval now ({@link System#nanoTime()}); end it with {@link Interval#end()}.
     *
     * @throws IllegalArgumentException if {@code holder} is blank
     * @throws IllegalStateException if this ledger already holds intervals with explicit times
     */
    public Interval begin(String holder, long epoch) {
        Clocks.requireName("holder", holder);
        long start = clocks.nanoTimeNow();
        synchronized (this) {
            Interval interval = new Interval(holder, epoch, start);
            open.add(interval);
            return interval;
        }
    }

    /** How many {@link #begin} intervals have not ended. */
    public synchronized int active() {
        return open.size();
    }

    /** Every interval recorded or still open (open ones ending now), by start time. */
    public List<Term> intervals() {
        List<Term> all;
        synchronized (this) {
            all = new ArrayList<>(terms);
            long now = open.isEmpty() ? 0 : Clocks.openEnd();
            for (Interval interval : open) {
                all.add(new Term(interval.holder, interval.epoch, interval.start, Math.max(now, interval.start), true));
            }
        }
        all.sort(Comparator.comparingLong(Term::start).thenComparingLong(Term::end));
        return List.copyOf(all);
    }

    /** {@code check(0)}: any shared instant of two intervals is an overlap. */
    public Report check() {
        return check(0);
    }

    /**
     * Checks every interval so far. Two intervals (of two holders, or of one holder twice) that share more than
     * {@code toleratedOverlap} time units are an overlap; those that share less or as much are reported apart as
     * tolerated (the documented zombie window: a leader that lost its session leads on until it hears of it).
     *
     * @throws IllegalArgumentException if {@code toleratedOverlap < 0}
     */
    public Report check(long toleratedOverlap) {
        Clocks.requireTolerance(toleratedOverlap);
        List<Term> all = intervals();
        List<Overlap> overlaps = new ArrayList<>();
        List<Overlap> tolerated = new ArrayList<>();
        Sweep.pairs(all, Term::start, Term::end, (a, b, length) ->
                (length > toleratedOverlap ? overlaps : tolerated).add(new Overlap(a, b, length)));
        return new Report(all, overlaps, tolerated, epochConflicts(all),
                Sweep.maxConcurrent(all, Term::start, Term::end), toleratedOverlap);
    }

    private static List<EpochConflict> epochConflicts(List<Term> byStart) {
        List<EpochConflict> conflicts = new ArrayList<>();
        Map<Long, Term> firstOfEpoch = new HashMap<>();
        Map<Long, Set<String>> holdersOfEpoch = new HashMap<>();
        Term highest = null;
        for (Term term : byStart) {
            Term first = firstOfEpoch.putIfAbsent(term.epoch(), term);
            if (first != null && holdersOfEpoch.get(term.epoch()).add(term.holder())) {
                conflicts.add(new EpochConflict(first, term));
            } else if (first == null) {
                holdersOfEpoch.computeIfAbsent(term.epoch(), e -> new LinkedHashSet<>()).add(term.holder());
            }
            if (highest != null && term.epoch() < highest.epoch()) {
                conflicts.add(new EpochConflict(highest, term));
            }
            if (highest == null || term.epoch() > highest.epoch()) {
                highest = term;
            }
        }
        return conflicts;
    }
}
