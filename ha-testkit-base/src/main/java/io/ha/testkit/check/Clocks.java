package io.ha.testkit.check;

/**
 * Keeps one ledger on one time base: explicit times the caller chose, or {@link System#nanoTime()} through the
 * {@code begin(...)} handles. The two cannot be compared, so the second kind used is refused with a clear error.
 */
final class Clocks {
    private final String ledger;
    private boolean explicit;
    private boolean nanoTime;

    Clocks(String ledger) {
        this.ledger = ledger;
    }

    synchronized void explicitTimes() {
        if (nanoTime) {
            throw new IllegalStateException(ledger + " already holds begin(...) intervals timed by System.nanoTime(); "
                    + "explicit times cannot be compared with them: use one ledger per time base");
        }
        explicit = true;
    }

    synchronized long nanoTimeNow() {
        if (explicit) {
            throw new IllegalStateException(ledger + " already holds intervals with explicit times; begin(...) times "
                    + "by System.nanoTime(), which cannot be compared with them: use one ledger per time base");
        }
        nanoTime = true;
        return System.nanoTime();
    }

    /** The end for an interval still open at a check: now, on the only base open intervals can have. */
    static long openEnd() {
        return System.nanoTime();
    }

    static String requireName(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be null or blank, was " + (value == null ? "null"
                    : "'" + value + "'"));
        }
        return value;
    }

    static void requireOrdered(String what, long start, long end) {
        if (end < start) {
            throw new IllegalArgumentException(what + " ends (" + end + ") before it starts (" + start + ")");
        }
    }

    static long requireTolerance(long toleratedOverlap) {
        if (toleratedOverlap < 0) {
            throw new IllegalArgumentException("toleratedOverlap must be >= 0, was " + toleratedOverlap);
        }
        return toleratedOverlap;
    }
}
