package io.ha.samples.watchdog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a reader of the {@link Journal} can tell about who acted when: which copies wrote in each epoch, and whether an
 * entry of an older epoch ever followed one of a newer epoch (a deposed copy acting after the takeover).
 *
 * <p>Guarantee: {@link #consistent()} is true only when every epoch has exactly one writer and the epochs never go
 * down in the journal's order; {@link #firstProblem()} names the first entry that breaks it. Not guaranteed: anything
 * about work that was not journalled.
 *
 * @param writers      for each epoch, in the order of first appearance, the copies that wrote in it
 * @param counts       for each epoch, the number of entries
 * @param firstProblem the first violation found, or null
 */
record JournalAudit(Map<Long, Set<String>> writers, Map<Long, Integer> counts, String firstProblem) {
    static JournalAudit of(List<Journal.Entry> entries) {
        Map<Long, Set<String>> writers = new LinkedHashMap<>();
        Map<Long, Integer> counts = new LinkedHashMap<>();
        String problem = null;
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < entries.size(); i++) {
            Journal.Entry e = entries.get(i);
            if (e.epoch() < newest && problem == null) {
                problem = "entry " + (i + 1) + " was written by " + e.copy() + " in epoch " + e.epoch()
                        + " after an entry of epoch " + newest;
            }
            newest = Math.max(newest, e.epoch());
            writers.computeIfAbsent(e.epoch(), k -> new TreeSet<>()).add(e.copy());
            counts.merge(e.epoch(), 1, Integer::sum);
        }
        if (problem == null) {
            problem = writers.entrySet().stream().filter(w -> w.getValue().size() > 1).findFirst()
                    .map(w -> "epoch " + w.getKey() + " was written by " + w.getValue()).orElse(null);
        }
        return new JournalAudit(writers, counts, problem);
    }

    boolean consistent() {
        return firstProblem == null;
    }

    /** {@code epoch 1 by copy-a x12, epoch 2 by copy-b x20}. */
    String describe() {
        return writers.entrySet().stream().map(w -> "epoch " + w.getKey() + " by " + String.join("+", w.getValue())
                + " x" + counts.get(w.getKey())).collect(Collectors.joining(", "));
    }
}
