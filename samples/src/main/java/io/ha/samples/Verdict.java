package io.ha.samples;

import java.util.ArrayList;
import java.util.List;

/**
 * What a sample found out: the checks of its guarantee (held or not, with the evidence) and plain facts for the
 * summary (timings, counts). The sample's exit code comes from here: 0 only when there was at least one check and
 * every check held.
 *
 * <p>Thread-safe; entries keep the order they were made in.
 */
public final class Verdict {
    /** One line of the summary. */
    private record Entry(Kind kind, String what, String detail) {
    }

    private enum Kind { HELD, FAILED, FACT }

    private final List<Entry> entries = new ArrayList<>();

    /**
     * Records one check of the guarantee.
     *
     * @param what   the property, as a user would state it ("every result was collected")
     * @param held   whether it held
     * @param detail the evidence, as a format string with {@code args}
     * @return {@code held}
     */
    public synchronized boolean check(String what, boolean held, String detail, Object... args) {
        entries.add(new Entry(held ? Kind.HELD : Kind.FAILED, what, String.format(detail, args)));
        return held;
    }

    /** Records a fact for the summary (a timing, a count) that is not itself a check. */
    public synchronized void fact(String what, String detail, Object... args) {
        entries.add(new Entry(Kind.FACT, what, String.format(detail, args)));
    }

    /** Records that the scenario could not go on: the guarantee was not shown. */
    synchronized void aborted(String reason) {
        entries.add(new Entry(Kind.FAILED, "the scenario ran to its end", reason));
    }

    /** True when there was at least one check and every check held. */
    public synchronized boolean held() {
        return entries.stream().anyMatch(e -> e.kind() == Kind.HELD)
                && entries.stream().noneMatch(e -> e.kind() == Kind.FAILED);
    }

    /** The checks that failed, for the last line. */
    synchronized List<String> failures() {
        return entries.stream().filter(e -> e.kind() == Kind.FAILED).map(Entry::what).toList();
    }

    /** The summary block, one line per entry: {@code [ok]}, {@code [FAILED]} or {@code [--]} (a fact). */
    synchronized List<String> summary() {
        List<String> lines = new ArrayList<>();
        for (Entry e : entries) {
            String tag = switch (e.kind()) {
                case HELD -> "[ok]    ";
                case FAILED -> "[FAILED]";
                case FACT -> "[--]    ";
            };
            lines.add(tag + " " + e.what() + (e.detail().isEmpty() ? "" : ": " + e.detail()));
        }
        return lines;
    }
}
