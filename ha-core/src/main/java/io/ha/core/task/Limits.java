package io.ha.core.task;

import java.util.List;
import java.util.Optional;

/**
 * Cluster-wide limits per task type, stored in ZooKeeper ({@code /limits/<type>}) and enforced by the leader's
 * dispatcher, the only assigner: at most N tasks of a type assigned or running at once, at most M per concurrency
 * key, and at most R starts per second with a burst. Changes apply at run time, to the next assignments (tasks
 * already running are never stopped).
 *
 * <p>Guarantees: the dispatcher never assigns a task beyond a limit as it counts them, and it counts a task as
 * running from its assignment until that assignment is gone (its outcome recorded, or the task taken back); a new
 * leader rebuilds the counts from the assignments before it assigns anything, and its rate buckets start empty, so
 * failover grants no second burst. Not guaranteed: that no more than N handlers run at an instant when an agent's
 * session expires while it runs a task: the task is taken back and may be assigned again while the handler of the
 * expired session (a zombie) still runs, until it notices the loss and is interrupted; its outcome is refused and
 * side effects are fenced by the task's token. Tasks placed by a leader of a version that did not record types, and
 * pointers written by such a version, are not counted.
 */
public interface Limits {
    /**
     * Creates or replaces the limits of {@code limit.type()}.
     */
    void set(TypeLimit limit) throws Exception;

    /** Removes the limits of {@code type}; false when it had none. */
    boolean remove(String type) throws Exception;

    /** The limits of {@code type}, or empty when it has none. */
    Optional<TypeLimit> get(String type) throws Exception;

    /** Every type's limits, sorted by type. */
    List<TypeLimit> list() throws Exception;

    /**
     * Every limited type with the tasks that count against it now, read from the assignments (the counts the
     * leader keeps, without the moves it has in flight).
     */
    List<LimitUsage> usage() throws Exception;
}
