package io.ha.core.membership;

/**
 * Receives membership changes in the order the cache observed them, on the cache's event thread. Implementations
 * must be quick. Not guaranteed: that every short-lived intermediate state is seen (a watch shows the latest state).
 */
public interface MembershipListener {
    default void joined(AgentInfo agent) {
    }

    default void left(AgentInfo agent) {
    }

    default void updated(AgentInfo agent) {
    }
}
