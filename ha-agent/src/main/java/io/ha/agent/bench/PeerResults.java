package io.ha.agent.bench;

import java.io.PrintStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The figures of one {@code ha-bench peers} run, in the order the sections put them: one flat map from JSON key to
 * value (a number, a boolean, a string or a list of numbers), each with a line saying what it is for the report
 * table, and the sections that were skipped with the reason. Not thread-safe: sections run one after another and
 * put their figures from the thread that runs them.
 */
final class PeerResults {
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private final PrintStream out;
    private final long started = System.nanoTime();

    PeerResults(PrintStream out) {
        this.out = out;
    }

    /**
     * Records one figure.
     *
     * @param label what it is, for the report table (units included)
     * @throws IllegalArgumentException if another section already put {@code key}: two sections must not claim the
     *                                  same figure
     */
    void put(String key, Object value, String label) {
        if (figures.containsKey(key)) {
            throw new IllegalArgumentException("figure " + key + " was already recorded");
        }
        figures.put(key, value instanceof Double d ? round(d) : value);
        labels.put(key, label);
    }

    /** A recorded number, if {@code key} was recorded as one. */
    Optional<Double> number(String key) {
        return figures.get(key) instanceof Number n ? Optional.of(n.doubleValue()) : Optional.empty();
    }

    /** Records that {@code section} did not run on this machine, and why. */
    void skip(String section, String reason) {
        skipped.put(section, reason);
        progress(section + ": SKIPPED: " + reason);
    }

    Map<String, Object> figures() {
        return Collections.unmodifiableMap(figures);
    }

    String label(String key) {
        return labels.getOrDefault(key, key);
    }

    Map<String, String> skipped() {
        return Collections.unmodifiableMap(skipped);
    }

    /** Prints one progress line with the seconds since the run started. */
    void progress(String what) {
        out.printf(Locale.ROOT, "  [%4.0f s] %s%n", (System.nanoTime() - started) / 1e9, what);
        out.flush();
    }

    PrintStream out() {
        return out;
    }

    /** Medians of timed rounds: robust to one round slowed by other processes and to a lucky one. */
    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Figures keep what a reader can use: three decimals, or three significant digits below one. */
    static double round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double f = Math.abs(v) >= 1 || v == 0 ? 1000 : Math.pow(10, 3 - Math.floor(Math.log10(Math.abs(v))));
        return Math.round(v * f) / f;
    }
}
