package io.ha.core.session;

import java.time.Instant;
import java.util.Objects;

/**
 * One state change seen by this process, kept in the {@link EventTimeline}.
 *
 * @param time   when it was observed locally (wall clock of this process)
 * @param kind   what changed
 * @param token  the leader epoch or fencing token tied to the change, or -1 when none applies
 * @param detail human-readable detail (agent id, lock name, reason); never contains secrets
 */
public record ClusterEvent(Instant time, EventKind kind, long token, String detail) {
    public ClusterEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        detail = detail == null ? "" : detail;
    }

    @Override
    public String toString() {
        return time + " " + kind + (token >= 0 ? " [" + token + "]" : "") + (detail.isEmpty() ? "" : " " + detail);
    }
}
