package io.ha.core.task.store;

import com.google.common.base.Strings;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import java.util.Comparator;

/**
 * A pending pointer as the leader's index holds it, decoded from the pointer's name alone (no read needed):
 * {@code <999-priority>_<notBefore>_<taskId>_<T|L>_<type>}. {@code L} marks a task with placement attributes in its
 * record (labels it requires, a concurrency key): the leader reads the record of those tasks, and only of those,
 * once. The type comes last because a type may contain {@code _}; a task id never does. Ordered by priority (high
 * first), then task id (time-ordered, so first submitted first).
 *
 * <p>Names of the former format ({@code <999-priority>_<notBefore>_<taskId>[_L]}, written before types were in the
 * name) still parse, with a null {@link #type}: the leader places them as before, but no limit counts them.
 */
public record PendingEntry(int invertedPriority, long notBefore, String taskId, boolean labelled, String type) {
    public static final Comparator<PendingEntry> ORDER = Comparator.comparingInt(PendingEntry::invertedPriority)
            .thenComparing(PendingEntry::taskId);
    private static final String LABELLED = "_L";

    /** An entry of the former format: no type. */
    public PendingEntry(int invertedPriority, long notBefore, String taskId, boolean labelled) {
        this(invertedPriority, notBefore, taskId, labelled, null);
    }

    /** A name of the former format (no type), as older versions wrote it. */
    public static String pointerName(int invertedPriority, long notBefore, String taskId, boolean labelled) {
        return pointerName(invertedPriority, notBefore, taskId, labelled, null);
    }

    /** The pointer name; with a null {@code type}, the former format. */
    public static String pointerName(int invertedPriority, long notBefore, String taskId, boolean labelled,
                                     String type) {
        String typeSuffix = type == null ? (labelled ? LABELLED : "") : (labelled ? "_L_" : "_T_") + type;
        if (invertedPriority < 0 || notBefore < 0) {
            // Not produced by valid records; kept byte-for-byte as the format has always written them.
            return String.format("%03d_%013d_%s", invertedPriority, notBefore, taskId) + typeSuffix;
        }
        // Built by hand: String.format was a few percent of the queue's CPU (it runs for every submit and move).
        return Strings.padStart(Integer.toString(invertedPriority), 3, '0') + '_'
                + Strings.padStart(Long.toString(notBefore), 13, '0') + '_' + taskId + typeSuffix;
    }

    /**
     * The name of {@code record}'s pending pointer: priority (inverted), notBefore, id, whether the record holds
     * placement attributes, and type, all parseable.
     */
    public static String pointerNameOf(TaskRecord record) {
        return pointerName(TaskSpec.MAX_PRIORITY - record.priority(), record.notBefore(), record.id(),
                !record.labels().isEmpty() || record.concurrencyKey() != null, record.type());
    }

    /**
     * The name {@code record}'s pointer had in the former format (no type; {@code _L} for labels only), which tasks
     * submitted by an older version still carry: readers and cancel look for it when the current name is absent.
     */
    public static String formerPointerNameOf(TaskRecord record) {
        return pointerName(TaskSpec.MAX_PRIORITY - record.priority(), record.notBefore(), record.id(),
                !record.labels().isEmpty());
    }

    public String name() {
        return pointerName(invertedPriority, notBefore, taskId, labelled, type);
    }

    /** @return the entry, or null when the name is not a pointer name */
    public static PendingEntry parse(String name) {
        int first = name.indexOf('_');
        int second = first < 0 ? -1 : name.indexOf('_', first + 1);
        if (first != 3 || second != 17 || second + 1 >= name.length()) {
            return null;
        }
        int idEnd = name.indexOf('_', 18);
        String taskId = idEnd < 0 ? name.substring(18) : name.substring(18, idEnd);
        if (taskId.isEmpty()) {
            return null;
        }
        boolean labelled = false;
        String type = null;
        if (idEnd >= 0) {
            String tail = name.substring(idEnd + 1);
            if (tail.equals("L")) {
                labelled = true;
            } else if (tail.length() >= 3 && tail.charAt(1) == '_' && (tail.charAt(0) == 'T'
                    || tail.charAt(0) == 'L')) {
                labelled = tail.charAt(0) == 'L';
                type = tail.substring(2);
            } else {
                return null;
            }
        }
        try {
            return new PendingEntry(Integer.parseInt(name.substring(0, 3)), Long.parseLong(name.substring(4, 17)),
                    taskId, labelled, type);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
