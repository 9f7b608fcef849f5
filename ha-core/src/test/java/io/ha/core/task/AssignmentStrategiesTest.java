package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.core.membership.AgentInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssignmentStrategiesTest {
    private static final PendingTask TASK = new PendingTask("t", 0, 0, Set.of());

    private static AgentSlot slot(String id, int capacity, int inFlight) {
        return new AgentSlot(new AgentInfo(id, "h", 1, 0, capacity, Set.of(), "v", null, true, Set.of("x")),
                inFlight);
    }

    /** Places {@code n} tasks one after another as the dispatcher does, counting what each agent got. */
    private static Map<String, Integer> place(AssignmentStrategy strategy, List<AgentSlot> start, int n) {
        List<AgentSlot> slots = new ArrayList<>(start);
        Map<String, Integer> got = new HashMap<>();
        for (int i = 0; i < n; i++) {
            List<AgentSlot> eligible = slots.stream().filter(s -> s.free() > 0).toList();
            AgentSlot chosen = eligible.get(strategy.choose(TASK, eligible));
            slots.set(slots.indexOf(chosen), new AgentSlot(chosen.agent(), chosen.inFlight() + 1));
            got.merge(chosen.agent().id(), 1, Integer::sum);
        }
        return got;
    }

    @Test
    void roundRobinTakesEachAgentInTurn() {
        AssignmentStrategy rr = AssignmentStrategies.roundRobin();
        List<AgentSlot> slots = List.of(slot("a", 100, 0), slot("b", 100, 50), slot("c", 100, 99));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(slots.get(rr.choose(TASK, slots)).agent().id());
        }
        assertThat(order).containsExactly("a", "b", "c", "a", "b", "c");
    }

    @Test
    void leastLoadedFillsTheEmptiestAgentFirst() {
        Map<String, Integer> got = place(AssignmentStrategies.leastLoaded(),
                List.of(slot("a", 10, 6), slot("b", 10, 0), slot("c", 10, 3)), 9);
        // 6 to b and 3 to c bring all to 6 (ties go to the lowest id), 0 to a... then a, b, c share: here 9 in all.
        assertThat(got).containsEntry("b", 6).containsEntry("c", 3).doesNotContainKey("a");
    }

    @Test
    void capacityWeightedGivesTwiceTheTasksToTwiceTheCapacity() {
        Map<String, Integer> got = place(AssignmentStrategies.capacityWeighted(),
                List.of(slot("big", 64, 0), slot("small", 32, 0)), 60);
        assertThat(got.get("big")).isEqualTo(40);
        assertThat(got.get("small")).isEqualTo(20);
    }

    @Test
    void aStrategyIsOnlyOfferedAgentsWithRoom() {
        Map<String, Integer> got = place(AssignmentStrategies.roundRobin(),
                List.of(slot("a", 2, 0), slot("b", 5, 0)), 7);
        assertThat(got).containsEntry("a", 2).containsEntry("b", 5);
    }

    /**
     * Tasks that need disjoint sets of agents (labels) take turns: each set is still served in turn. With one cursor
     * for all tasks, the cursor of the other set made every task go to the lowest id of its own set.
     */
    @Test
    void roundRobinTakesTurnsWithinEachSetOfEligibleAgentsWhenTasksAlternate() {
        AssignmentStrategy rr = AssignmentStrategies.roundRobin();
        List<AgentSlot> compute = List.of(slot("compute-1", 10, 0), slot("compute-2", 10, 0));
        List<AgentSlot> process = List.of(slot("process-1", 10, 0), slot("process-2", 10, 0));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            order.add(compute.get(rr.choose(TASK, compute)).agent().id());
            order.add(process.get(rr.choose(TASK, process)).agent().id());
        }
        assertThat(order).containsExactly("compute-1", "process-1", "compute-2", "process-2",
                "compute-1", "process-1", "compute-2", "process-2");
    }
}
