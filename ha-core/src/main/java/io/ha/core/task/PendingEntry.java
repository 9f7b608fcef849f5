package io.ha.core.task;

import java.util.Comparator;

/**
 * A pending pointer as the leader's index holds it, decoded from the pointer's name alone (no read needed):
 * {@code <999-priority>_<notBefore>_<taskId>}. Ordered by priority (high first), then task id (time-ordered, so
 * first submitted first).
 */
record PendingEntry(int invertedPriority, long notBefore, String taskId) {
    static final Comparator<PendingEntry> ORDER = Comparator.comparingInt(PendingEntry::invertedPriority)
            .thenComparing(PendingEntry::taskId);

    static String pointerName(int invertedPriority, long notBefore, String taskId) {
        return String.format("%03d_%013d_%s", invertedPriority, notBefore, taskId);
    }

    String name() {
        return pointerName(invertedPriority, notBefore, taskId);
    }

    /** @return the entry, or null when the name is not a pointer name */
    static PendingEntry parse(String name) {
        int first = name.indexOf('_');
        int second = first < 0 ? -1 : name.indexOf('_', first + 1);
        if (first != 3 || second != 17 || second + 1 >= name.length()) {
            return null;
        }
        try {
            return new PendingEntry(Integer.parseInt(name.substring(0, 3)), Long.parseLong(name.substring(4, 17)),
                    name.substring(18));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
