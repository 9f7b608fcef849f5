package io.ha.core.task.store;

import com.google.common.base.Strings;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import java.util.Comparator;

/**
 * A pending pointer as the leader's index holds it, decoded from the pointer's name alone (no read needed):
 * {@code <999-priority>_<notBefore>_<taskId>}, with the suffix {@code _L} when the task requires labels (the leader
 * reads the record of those tasks, and only of those, to learn which labels). Ordered by priority (high first), then
 * task id (time-ordered, so first submitted first).
 */
public record PendingEntry(int invertedPriority, long notBefore, String taskId, boolean labelled) {
    public static final Comparator<PendingEntry> ORDER = Comparator.comparingInt(PendingEntry::invertedPriority)
            .thenComparing(PendingEntry::taskId);
    private static final String LABELLED = "_L";

    public static String pointerName(int invertedPriority, long notBefore, String taskId, boolean labelled) {
        if (invertedPriority < 0 || notBefore < 0) {
            // Not produced by valid records; kept byte-for-byte as the format has always written them.
            return String.format("%03d_%013d_%s", invertedPriority, notBefore, taskId) + (labelled ? LABELLED : "");
        }
        // Built by hand: String.format was a few percent of the queue's CPU (it runs for every submit and move).
        return Strings.padStart(Integer.toString(invertedPriority), 3, '0') + '_'
                + Strings.padStart(Long.toString(notBefore), 13, '0') + '_' + taskId + (labelled ? LABELLED : "");
    }

    /** The name of {@code record}'s pending pointer: priority (inverted), notBefore and id, all parseable. */
    public static String pointerNameOf(TaskRecord record) {
        return pointerName(TaskSpec.MAX_PRIORITY - record.priority(), record.notBefore(), record.id(),
                !record.labels().isEmpty());
    }

    public String name() {
        return pointerName(invertedPriority, notBefore, taskId, labelled);
    }

    /** @return the entry, or null when the name is not a pointer name */
    public static PendingEntry parse(String name) {
        int first = name.indexOf('_');
        int second = first < 0 ? -1 : name.indexOf('_', first + 1);
        if (first != 3 || second != 17 || second + 1 >= name.length()) {
            return null;
        }
        String rest = name.substring(18);
        boolean labelled = rest.endsWith(LABELLED);
        String taskId = labelled ? rest.substring(0, rest.length() - LABELLED.length()) : rest;
        if (taskId.isEmpty() || taskId.indexOf('_') >= 0) {
            return null;
        }
        try {
            return new PendingEntry(Integer.parseInt(name.substring(0, 3)), Long.parseLong(name.substring(4, 17)),
                    taskId, labelled);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
