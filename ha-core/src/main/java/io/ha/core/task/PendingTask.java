package io.ha.core.task;

import java.util.Set;

/**
 * A pending task as the dispatcher knows it when it places the task: what the pending pointer's name says, plus the
 * labels the task requires. The dispatcher does not read the task's record to place it (that would cost a read per
 * task), so payload, type and attempt are not available to an {@link AssignmentStrategy}.
 *
 * @param id        the task id
 * @param priority  the task's priority (higher runs first)
 * @param notBefore earliest start, epoch milliseconds (0 = at once)
 * @param labels    labels an agent must all have to be given the task (empty when any agent may take it)
 */
public record PendingTask(String id, int priority, long notBefore, Set<String> labels) {
    public PendingTask {
        labels = labels == null ? Set.of() : Set.copyOf(labels);
    }
}
