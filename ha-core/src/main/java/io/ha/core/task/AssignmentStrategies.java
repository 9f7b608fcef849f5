package io.ha.core.task;

import java.util.List;

/** The built-in {@link AssignmentStrategy} implementations. */
public final class AssignmentStrategies {
    private AssignmentStrategies() {
    }

    /** Each agent in turn (by id), skipping full ones: spreads tasks evenly when agents are alike. */
    public static AssignmentStrategy roundRobin() {
        return new AssignmentStrategy() {
            private String last = "";

            @Override
            public int choose(PendingTask task, List<AgentSlot> eligible) {
                for (int i = 0; i < eligible.size(); i++) {
                    if (eligible.get(i).agent().id().compareTo(last) > 0) {
                        last = eligible.get(i).agent().id();
                        return i;
                    }
                }
                last = eligible.get(0).agent().id();
                return 0;
            }
        };
    }

    /** The agent with the fewest tasks in flight (ties: lowest id). */
    public static AssignmentStrategy leastLoaded() {
        return (task, eligible) -> {
            int best = 0;
            for (int i = 1; i < eligible.size(); i++) {
                if (eligible.get(i).inFlight() < eligible.get(best).inFlight()) {
                    best = i;
                }
            }
            return best;
        };
    }

    /**
     * The agent with the lowest share of its capacity in use, so an agent with twice the capacity gets twice the
     * tasks (the default).
     */
    public static AssignmentStrategy capacityWeighted() {
        return (task, eligible) -> {
            int best = 0;
            for (int i = 1; i < eligible.size(); i++) {
                AgentSlot a = eligible.get(i);
                AgentSlot b = eligible.get(best);
                // Compare inFlight/capacity without division: a/ca < b/cb  <=>  a*cb < b*ca.
                if ((long) a.inFlight() * b.agent().capacity() < (long) b.inFlight() * a.agent().capacity()) {
                    best = i;
                }
            }
            return best;
        };
    }
}
