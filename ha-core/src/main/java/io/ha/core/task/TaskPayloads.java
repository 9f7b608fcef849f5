package io.ha.core.task;

import io.ha.core.CorruptDataException;
import io.ha.core.internal.Json;

/**
 * JSON payloads and results, encoded with the codec ha-core uses for everything it stores: for submitters and
 * handlers that pass structured data through a task.
 *
 * <p>Guarantees: {@link #fromJson} ignores fields it does not know (a payload written by a newer submitter still
 * decodes), and every failure to decode, including a value the type's own checks refuse, is a
 * {@link CorruptDataException} naming what was read. Not guaranteed: that the bytes fit a task (the payload limit is
 * checked at submit).
 */
public final class TaskPayloads {
    private TaskPayloads() {
    }

    /** {@code value} as JSON bytes. */
    public static byte[] toJson(Object value) {
        return Json.write(value);
    }

    /**
     * Decodes {@code json} as a {@code type}.
     *
     * @param what names the data in the error, for example {@code "exec payload of task <id>"}
     * @throws CorruptDataException naming {@code what} when the bytes are empty or not a valid {@code type}
     */
    public static <T> T fromJson(String what, byte[] json, Class<T> type) {
        return Json.read(what, json, type);
    }
}
