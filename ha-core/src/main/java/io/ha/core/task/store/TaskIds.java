package io.ha.core.task.store;

import com.google.common.base.Strings;
import io.ha.core.NoSuchTaskException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Task ids: made time-ordered and unique across processes, and checked before they reach a path.
 *
 * <p>Guarantee: ids of one process are in creation order (FIFO within a millisecond thanks to the sequence), and
 * ids of different processes differ with overwhelming probability (32 random bits per id, besides the time and the
 * sequence). Not guaranteed: global order across processes beyond the millisecond clock of each.
 */
public final class TaskIds {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{11}-[0-9a-f]{12}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger SEQUENCE = new AtomicInteger(RANDOM.nextInt());

    private TaskIds() {
    }

    /**
     * A new, time-ordered task id: {@code <11 hex digits of millis>-<4 hex digits of a per-process sequence><8
     * random hex digits>}. The sequence keeps one submitter's tasks of the same millisecond in submit order (FIFO);
     * the random part keeps ids of different processes apart.
     */
    public static String newId(long now) {
        // Built by hand rather than with String.format, which cost a few percent of the queue's CPU.
        return Strings.padStart(Long.toHexString(now), 11, '0') + '-'
                + Strings.padStart(Integer.toHexString(SEQUENCE.getAndIncrement() & 0xffff), 4, '0')
                + Strings.padStart(Integer.toHexString(RANDOM.nextInt()), 8, '0');
    }

    /** Whether {@code taskId} has the form of an id this queue makes (anything else names no task). */
    public static boolean isValid(String taskId) {
        return taskId != null && ID.matcher(taskId).matches();
    }

    /** @throws NoSuchTaskException naming the id when it cannot be a task id */
    public static void check(String taskId) {
        if (!isValid(taskId)) {
            throw new NoSuchTaskException(String.valueOf(taskId));
        }
    }
}
