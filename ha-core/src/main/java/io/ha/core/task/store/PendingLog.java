package io.ha.core.task.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of one pending-log announcement ({@code /pending-log/<bucket>/a-<seq>}): the pointer names a transaction
 * added to {@code /pending} ({@code +name} lines) and removed from it ({@code -name} lines), in that order.
 *
 * <p>Every transaction that adds or removes pointers, except the leader's own moves, carries one announcement, so
 * the leader keeps its index with one watch event and one read per transaction (a {@code submitAll} of 300 tasks,
 * a retry, a cancel) instead of a watch event for every pointer created and deleted. The announcement is only a
 * hint, never the truth: the pointers are. A leader that starts (or reconnects) lists the pointers themselves and
 * discards the announcements made before that listing.
 */
public record PendingLog(List<String> added, List<String> removed) {
    static final String PREFIX = "a-";

    public static byte[] encode(List<String> added, List<String> removed) {
        StringBuilder text = new StringBuilder(32 * (added.size() + removed.size()));
        added.forEach(name -> text.append('+').append(name).append('\n'));
        removed.forEach(name -> text.append('-').append(name).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses an announcement; lines of any other shape are skipped (never written by this version). */
    public static PendingLog decode(byte[] data) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        if (data != null) {
            for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
                if (line.length() > 1 && line.charAt(0) == '+') {
                    added.add(line.substring(1));
                } else if (line.length() > 1 && line.charAt(0) == '-') {
                    removed.add(line.substring(1));
                }
            }
        }
        return new PendingLog(List.copyOf(added), List.copyOf(removed));
    }
}
