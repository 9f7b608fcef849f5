package io.ha.core.task.dispatch;

import io.ha.core.membership.AgentInfo;
import io.ha.core.task.AgentSlot;
import io.ha.core.task.AssignmentStrategy;
import io.ha.core.task.PendingTask;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.store.PendingEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Decides which agent gets which pending task, as a pure function of what the leader knows: the agents with their
 * tasks in flight, the candidate entries in order, the labels known for them, and the {@link AssignmentStrategy}.
 * No ZooKeeper, no I/O, no clock.
 *
 * <p>Guarantees: a plan never gives an agent more tasks than its free slots, never gives a task to an agent that does
 * not accept work or lacks one of the task's labels, never places a task its type's limits refuse (the
 * {@link LimitGate.Round} given), and places candidates in the order given (an earlier candidate takes a slot before
 * a later one; one refused by a limit takes none and blocks nobody behind it). Not guaranteed: that a move applies. The plan rests on the leader's view, which
 * may be stale (a cancelled task, an agent that just left); a stale move is refused by its fenced transaction.
 */
final class AssignmentPlanner {
    /** One task to move from {@code /pending} to {@code /assigned/<agent>}, with what counts it against limits. */
    record Move(PendingEntry entry, String agent, Placement placement) {
    }

    private final AssignmentStrategy strategy;

    AssignmentPlanner(AssignmentStrategy strategy) {
        this.strategy = strategy;
    }

    /**
     * The agents that accept work and have a free slot, in the order given (the membership's, sorted by id, which is
     * the order strategies are promised).
     */
    static List<AgentSlot> openSlots(List<AgentInfo> agents, ToIntFunction<String> inFlight) {
        List<AgentSlot> slots = new ArrayList<>();
        for (AgentInfo agent : agents) {
            if (agent.accepting()) {
                AgentSlot slot = new AgentSlot(agent, inFlight.applyAsInt(agent.id()));
                if (slot.free() > 0) {
                    slots.add(slot);
                }
            }
        }
        return slots;
    }

    static int free(List<AgentSlot> slots) {
        int free = 0;
        for (AgentSlot slot : slots) {
            free += slot.free();
        }
        return free;
    }

    /** True when some slot's agent carries every label in {@code labels}: a task needing them may be placed now. */
    static boolean canPlace(List<AgentSlot> slots, Set<String> labels) {
        return slots.stream().anyMatch(s -> s.agent().labels().containsAll(labels));
    }

    /** {@link #plan(List, List, Function, LimitGate.Round)} without limits, for labels only. */
    List<Move> plan(List<AgentSlot> slots, List<PendingEntry> candidates,
                    Function<PendingEntry, Set<String>> knownLabels) {
        return plan(slots, candidates, e -> {
            Set<String> labels = knownLabels.apply(e);
            return labels == null ? null : new Placement(e.type(), null, labels);
        }, new LimitGate().round(0));
    }

    /**
     * The moves for {@code candidates}, in their order. A candidate whose placement is unknown ({@code known}
     * answers null: its record was missing or corrupt) is skipped, and so is one that no agent with a free slot can
     * take (it waits until such an agent has room) and one that {@code limits} refuses. {@code slots} is not
     * changed; {@code limits} counts the moves planned.
     */
    List<Move> plan(List<AgentSlot> slots, List<PendingEntry> candidates, Function<PendingEntry, Placement> known,
                    LimitGate.Round limits) {
        List<AgentSlot> open = new ArrayList<>(slots);
        List<Move> moves = new ArrayList<>();
        for (PendingEntry entry : candidates) {
            Placement placement = known.apply(entry);
            if (placement == null) {
                continue;
            }
            Set<String> labels = placement.labels();
            List<AgentSlot> eligible = open.stream()
                    .filter(s -> s.free() > 0 && s.agent().labels().containsAll(labels)).toList();
            if (eligible.isEmpty() || limits.tryStart(placement) != LimitGate.Verdict.ALLOWED) {
                continue;
            }
            PendingTask task = new PendingTask(entry.taskId(), TaskSpec.MAX_PRIORITY - entry.invertedPriority(),
                    entry.notBefore(), labels);
            AgentSlot chosen = eligible.get(strategy.choose(task, eligible));
            open.set(open.indexOf(chosen), new AgentSlot(chosen.agent(), chosen.inFlight() + 1));
            moves.add(new Move(entry, chosen.agent().id(), placement));
        }
        return moves;
    }
}
