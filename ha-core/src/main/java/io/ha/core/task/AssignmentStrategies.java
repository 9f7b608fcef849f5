package io.ha.core.task;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The built-in {@link AssignmentStrategy} implementations. */
public final class AssignmentStrategies {
    private AssignmentStrategies() {
    }

    /**
     * Each agent in turn (by id), skipping full ones: spreads tasks evenly when agents are alike. The turn is kept
     * per agent (the eligible agent picked longest ago goes next), so tasks that need different sets of agents
     * (labels) each still go round their own set.
     */
    public static AssignmentStrategy roundRobin() {
        return new AssignmentStrategy() {
            /** Agents forgotten at once when this many were ever seen: the turns start again, nothing worse. */
            private static final int MAX_REMEMBERED = 10_000;
            private final Map<String, Long> lastPicked = new HashMap<>();
            private long picks;

            @Override
            public int choose(PendingTask task, List<AgentSlot> eligible) {
                int best = 0;
                long bestPick = lastPicked.getOrDefault(eligible.get(0).agent().id(), -1L);
                for (int i = 1; i < eligible.size(); i++) {
                    long pick = lastPicked.getOrDefault(eligible.get(i).agent().id(), -1L);
                    if (pick < bestPick) {
                        best = i;
                        bestPick = pick;
                    }
                }
                if (lastPicked.size() >= MAX_REMEMBERED) {
                    lastPicked.clear();
                }
                lastPicked.put(eligible.get(best).agent().id(), ++picks);
                return best;
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
