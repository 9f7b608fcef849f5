package io.ha.testkit.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Finds every pair of half-open intervals {@code [start, end)} that share a stretch of positive length, in
 * O(n log n + pairs): intervals sorted by start, each compared only with those still running when it starts.
 */
final class Sweep {
    /** Receives one overlapping pair (the one that started first, then the other) and the length they share. */
    @FunctionalInterface
    interface PairSink<T> {
        void overlap(T first, T second, long length);
    }

    private Sweep() {
    }

    static <T> void pairs(List<T> items, ToLongFunction<T> start, ToLongFunction<T> end, PairSink<T> sink) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingLong(start).thenComparingLong(end));
        List<T> running = new ArrayList<>();
        for (T next : sorted) {
            long from = start.applyAsLong(next);
            running.removeIf(item -> end.applyAsLong(item) <= from);
            for (T earlier : running) {
                long shared = Math.min(end.applyAsLong(earlier), end.applyAsLong(next)) - from;
                if (shared > 0) {
                    sink.overlap(earlier, next, shared);
                }
            }
            running.add(next);
        }
    }

    /** The largest number of intervals that share one instant. */
    static <T> int maxConcurrent(List<T> items, ToLongFunction<T> start, ToLongFunction<T> end) {
        List<long[]> edges = new ArrayList<>();
        for (T item : items) {
            if (end.applyAsLong(item) > start.applyAsLong(item)) {
                edges.add(new long[] {start.applyAsLong(item), 1});
                edges.add(new long[] {end.applyAsLong(item), -1});
            }
        }
        // An interval that ends at the instant another starts does not share it: ends sort before starts.
        edges.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        int now = 0;
        int max = 0;
        for (long[] edge : edges) {
            now += (int) edge[1];
            max = Math.max(max, now);
        }
        return max;
    }
}
