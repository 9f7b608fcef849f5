package io.ha.samples.mapreduce;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Word counts of the map-reduce sample: counting a text, merging counts, and the text form in which a part's counts
 * travel as a task's result ("word count", one a line, sorted by word).
 *
 * <p>Guarantee: {@link #decode} reads back exactly what {@link #encode} wrote, and refuses anything else with an
 * {@link IllegalArgumentException} naming the bad line. Not guaranteed: anything about words beyond "runs of letters,
 * lower-cased".
 */
final class WordCounts {
    private WordCounts() {
    }

    /** The count of every word (a run of letters, lower-cased) of {@code text}. */
    static Map<String, Long> count(String text) {
        Map<String, Long> counts = new TreeMap<>();
        for (String word : text.toLowerCase(java.util.Locale.ROOT).split("[^a-z]+")) {
            if (!word.isEmpty()) {
                counts.merge(word, 1L, Long::sum);
            }
        }
        return counts;
    }

    /** Adds {@code more} into {@code into}. */
    static void mergeInto(Map<String, Long> into, Map<String, Long> more) {
        more.forEach((word, n) -> into.merge(word, n, Long::sum));
    }

    static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The {@code n} most frequent words, as "word=count" (ties by word). */
    static List<String> top(Map<String, Long> counts, int n) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(n).map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    static String encode(Map<String, Long> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue() + "\n")
                .collect(Collectors.joining());
    }

    static Map<String, Long> decode(String text) {
        Map<String, Long> counts = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] w = line.split(" ");
            try {
                if (w.length != 2 || counts.put(w[0], Long.parseLong(w[1])) != null) {
                    throw new NumberFormatException("not one word and its count");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad word count line '" + line + "': " + e.getMessage(), e);
            }
        }
        return counts;
    }
}
