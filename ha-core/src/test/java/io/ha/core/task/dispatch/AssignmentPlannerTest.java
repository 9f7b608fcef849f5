package io.ha.core.task.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.core.membership.AgentInfo;
import io.ha.core.task.AgentSlot;
import io.ha.core.task.AssignmentStrategies;
import io.ha.core.task.AssignmentStrategy;
import io.ha.core.task.PendingTask;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.dispatch.AssignmentPlanner.Move;
import io.ha.core.task.store.PendingEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The planner alone: no server, no clock; every decision of an assignment round from its inputs. */
class AssignmentPlannerTest {
    private static final AssignmentStrategy FIRST = (task, eligible) -> 0;
    private static final Function<PendingEntry, Set<String>> UNLABELLED = e -> Set.of();

    private static AgentInfo agent(String id, int capacity, String... labels) {
        return new AgentInfo(id, "host", 1, 0, capacity, Set.of(labels), "v", null, true, Set.of());
    }

    private static AgentInfo notAccepting(String id, int capacity) {
        return agent(id, capacity).withWorker(false, capacity, Set.of());
    }

    private static PendingEntry entry(String taskId) {
        return new PendingEntry(TaskSpec.MAX_PRIORITY - 5, 0, taskId, false);
    }

    private static PendingEntry labelled(String taskId) {
        return new PendingEntry(TaskSpec.MAX_PRIORITY - 5, 0, taskId, true);
    }

    private static List<PendingEntry> entries(int n) {
        return IntStream.range(0, n).mapToObj(i -> entry("t" + i)).toList();
    }

    private static Map<String, Long> perAgent(List<Move> moves) {
        Map<String, Long> out = new HashMap<>();
        moves.forEach(m -> out.merge(m.agent(), 1L, Long::sum));
        return out;
    }

    @Test
    void neverGivesAnAgentMoreThanItsFreeSlots() {
        List<AgentSlot> slots = AssignmentPlanner.openSlots(List.of(agent("a", 3), agent("b", 2)),
                id -> id.equals("a") ? 1 : 0);

        List<Move> moves = new AssignmentPlanner(FIRST).plan(slots, entries(10), UNLABELLED);

        assertThat(AssignmentPlanner.free(slots)).isEqualTo(4);
        assertThat(moves).hasSize(4);
        assertThat(perAgent(moves)).containsEntry("a", 2L).containsEntry("b", 2L);
        assertThat(moves).extracting(m -> m.entry().taskId()).containsExactly("t0", "t1", "t2", "t3");
    }

    @Test
    void agentsWithoutRoomOrNotAcceptingGetNoSlot() {
        List<AgentSlot> slots = AssignmentPlanner.openSlots(
                List.of(agent("full", 2), notAccepting("draining", 5), agent("free", 1)),
                id -> id.equals("full") ? 2 : 0);

        assertThat(slots).extracting(s -> s.agent().id()).containsExactly("free");
        assertThat(new AssignmentPlanner(FIRST).plan(slots, entries(3), UNLABELLED))
                .extracting(Move::agent).containsExactly("free");
    }

    @Test
    void onlyAgentsCarryingEveryLabelAreOffered() {
        List<AgentSlot> slots = AssignmentPlanner.openSlots(
                List.of(agent("a", 5, "zone=eu"), agent("b", 5, "gpu", "zone=eu"), agent("c", 5, "gpu")), id -> 0);
        Map<String, Set<String>> labels = Map.of("g1", Set.of("gpu", "zone=eu"), "g2", Set.of("gpu"), "u",
                Set.of());
        List<List<String>> offered = new ArrayList<>();
        AssignmentStrategy recording = (task, eligible) -> {
            offered.add(eligible.stream().map(s -> s.agent().id()).toList());
            return 0;
        };

        List<Move> moves = new AssignmentPlanner(recording).plan(slots,
                List.of(labelled("g1"), labelled("g2"), entry("u")), e -> labels.get(e.taskId()));

        assertThat(offered).containsExactly(List.of("b"), List.of("b", "c"), List.of("a", "b", "c"));
        assertThat(moves).extracting(Move::agent).containsExactly("b", "b", "a");
    }

    @Test
    void aTaskNoFreeAgentCanTakeWaitsWithoutBlockingTheOthers() {
        List<AgentSlot> slots = AssignmentPlanner.openSlots(List.of(agent("a", 1, "gpu"), agent("b", 1)), id -> 0);
        Map<String, Set<String>> labels = Map.of("g1", Set.of("gpu"), "g2", Set.of("gpu"), "x", Set.of("tpu"));

        List<Move> moves = new AssignmentPlanner(FIRST).plan(slots,
                List.of(labelled("x"), labelled("g1"), labelled("g2"), entry("u")), e -> labels.getOrDefault(
                        e.taskId(), Set.of()));

        assertThat(moves).extracting(m -> m.entry().taskId() + "->" + m.agent()).containsExactly("g1->a", "u->b");
        assertThat(AssignmentPlanner.canPlace(slots, Set.of("gpu"))).isTrue();
        assertThat(AssignmentPlanner.canPlace(slots, Set.of("tpu"))).isFalse();
    }

    @Test
    void candidatesWhoseLabelsAreUnknownAreSkipped() {
        List<AgentSlot> slots = AssignmentPlanner.openSlots(List.of(agent("a", 5)), id -> 0);

        List<Move> moves = new AssignmentPlanner(FIRST).plan(slots, List.of(labelled("gone"), entry("u")),
                e -> e.labelled() ? null : Set.of());

        assertThat(moves).extracting(m -> m.entry().taskId()).containsExactly("u");
    }

    @Test
    void theStrategyChoosesAndSeesEachPickCounted() {
        List<AgentSlot> slots = AssignmentPlanner.openSlots(List.of(agent("a", 4), agent("b", 4)),
                id -> id.equals("a") ? 1 : 0);
        List<Integer> bInFlight = new ArrayList<>();
        AssignmentStrategy last = (task, eligible) -> {
            bInFlight.add(eligible.get(eligible.size() - 1).inFlight());
            return eligible.size() - 1;
        };

        assertThat(new AssignmentPlanner(last).plan(slots, entries(3), UNLABELLED)).extracting(Move::agent)
                .containsExactly("b", "b", "b");
        assertThat(bInFlight).containsExactly(0, 1, 2);
        assertThat(new AssignmentPlanner(AssignmentStrategies.leastLoaded()).plan(slots, entries(3), UNLABELLED))
                .extracting(Move::agent).containsExactly("b", "a", "b");
        assertThat(slots).extracting(AgentSlot::inFlight).containsExactly(1, 0); // the caller's slots unchanged
    }

    @Test
    void theStrategySeesTheTaskAsItsPointerDescribesIt() {
        List<AgentSlot> slots = AssignmentPlanner.openSlots(List.of(agent("a", 1, "gpu")), id -> 0);
        List<PendingTask> seen = new ArrayList<>();

        new AssignmentPlanner((task, eligible) -> {
            seen.add(task);
            return 0;
        }).plan(slots, List.of(new PendingEntry(TaskSpec.MAX_PRIORITY - 7, 42, "t", true)), e -> Set.of("gpu"));

        assertThat(seen).containsExactly(new PendingTask("t", 7, 42, Set.of("gpu")));
    }
    @Test
    void aCandidateRefusedByALimitTakesNoSlotAndBlocksNoneBehindIt() {
        List<AgentSlot> slots = AssignmentPlanner.openSlots(List.of(agent("a", 4)), id -> 0);
        LimitGate gate = new LimitGate();
        gate.setLimits(Map.of("limited", io.ha.core.task.TypeLimit.of("limited").maxRunning(1).build()), 0);
        List<PendingEntry> candidates = List.of(typed("t1", "limited"), typed("t2", "limited"), typed("t3", "free"),
                typed("t4", "limited"), typed("t5", "free"));

        List<Move> moves = new AssignmentPlanner(FIRST).plan(slots, candidates,
                e -> new Placement(e.type(), null, Set.of()), gate.round(0));

        assertThat(moves).extracting(m -> m.entry().taskId()).containsExactly("t1", "t3", "t5");
        assertThat(moves).extracting(m -> m.placement().type()).containsExactly("limited", "free", "free");
    }

    private static PendingEntry typed(String taskId, String type) {
        return new PendingEntry(TaskSpec.MAX_PRIORITY - 5, 0, taskId, false, type);
    }
}
