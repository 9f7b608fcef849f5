package io.ha.core.task;

/**
 * Where a fan-in group is: being stored ({@code SUBMITTING}), waiting for its members ({@code OPEN}), its join (or
 * onFailure) task created ({@code JOINED}), that task's chain over ({@code ENDED}), or {@code CANCELLED}.
 */
public enum GroupState {
    /** Its members are being stored, in several transactions; no join is created before the last one. */
    SUBMITTING,
    /** Every member is stored; the outcome that ends the last member creates the join. */
    OPEN,
    /** The join (or the onFailure task) exists and has not ended yet. */
    JOINED,
    /** The join (or onFailure task) and its follow-ups have ended; the members' records may now be pruned. */
    ENDED,
    /** Cancelled: no join is created any more; members and join that had not ended were cancelled. */
    CANCELLED;

    /** Whether nothing of the group runs any more by its own doing (ENDED or CANCELLED). */
    public boolean isFinished() {
        return this == ENDED || this == CANCELLED;
    }
}
