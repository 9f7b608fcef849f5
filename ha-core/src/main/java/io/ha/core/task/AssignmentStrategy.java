package io.ha.core.task;

import java.util.List;

/**
 * Picks which agent gets a task. The dispatcher only offers agents that are alive, accept tasks, have a free slot
 * and carry every label the task requires, so a strategy only chooses among equals. Called on the dispatcher's
 * thread; implementations need not be thread-safe but must be quick.
 */
@FunctionalInterface
public interface AssignmentStrategy {
    /**
     * @param task     the task to place (from its pending pointer and labels; the record is not read)
     * @param eligible the candidate agents, never empty, sorted by agent id
     * @return the index in {@code eligible} of the chosen agent
     */
    int choose(PendingTask task, List<AgentSlot> eligible);
}
