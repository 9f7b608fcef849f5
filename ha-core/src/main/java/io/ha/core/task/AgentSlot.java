package io.ha.core.task;

import io.ha.core.membership.AgentInfo;

/**
 * An agent as an {@link AssignmentStrategy} sees it: its published info and how many tasks it has now.
 *
 * @param agent    the agent's published info (capacity, labels)
 * @param inFlight tasks assigned to it and not yet finished, including those picked in the current round
 */
public record AgentSlot(AgentInfo agent, int inFlight) {
    public int free() {
        return agent.capacity() - inFlight;
    }
}
