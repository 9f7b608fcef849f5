package io.ha.core.task.store;

import io.ha.core.task.JoinInput;
import io.ha.core.task.TaskState;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the form of a join's input: with results when they fit the payload limit, else ids and states, else
 * counts only. Pure: the results are read by the caller, and only when {@link #resultsFit} says they may fit.
 */
final class JoinInputs {
    /** The input with results is held to this even under a larger payload limit: it shares one transaction. */
    static final int MAX_RESULTS_BYTES = 256 * 1024;
    /** Ids and states: about 28 bytes per member, so some 10,000 members fit. */
    static final int MAX_STATES_BYTES = 300 * 1024;

    private JoinInputs() {
    }

    /** The limit of the form with results for a group submitted under {@code maxPayloadBytes}. */
    static int resultsLimit(int maxPayloadBytes) {
        return Math.min(maxPayloadBytes, MAX_RESULTS_BYTES);
    }

    /** Whether the members' results, of {@code resultBytes} in all, may fit the form with results. */
    static boolean resultsFit(List<GroupShard.Entry> members, long resultBytes, int maxPayloadBytes) {
        long estimate = resultBytes * 4 / 3 + 64;
        for (GroupShard.Entry m : members) {
            estimate += 48 + m.id().length() * 2L + (m.error() == null ? 0 : m.error().length() + 12);
        }
        return estimate <= resultsLimit(maxPayloadBytes);
    }

    static Map<TaskState, Integer> counts(List<GroupShard.Entry> members) {
        Map<TaskState, Integer> counts = new EnumMap<>(TaskState.class);
        members.forEach(m -> counts.merge(m.state(), 1, Integer::sum));
        return counts;
    }

    /**
     * The encoded input: {@code withResults} (members with results, or null when they were not read) if it fits,
     * else ids and states if they fit, else counts.
     */
    static byte[] encode(String groupId, List<GroupShard.Entry> members, List<JoinInput.Member> withResults,
                         int maxPayloadBytes) {
        Map<TaskState, Integer> counts = counts(members);
        if (withResults != null) {
            byte[] full = new JoinInput(groupId, members.size(), JoinInput.Form.RESULTS, counts, withResults)
                    .encode();
            if (full.length <= resultsLimit(maxPayloadBytes)) {
                return full;
            }
        }
        List<JoinInput.Member> states = new java.util.ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            states.add(new JoinInput.Member(i, members.get(i).id(), members.get(i).state(), null, null, null));
        }
        byte[] compact = new JoinInput(groupId, members.size(), JoinInput.Form.STATES, counts, states).encode();
        if (compact.length <= MAX_STATES_BYTES) {
            return compact;
        }
        return new JoinInput(groupId, members.size(), JoinInput.Form.COUNTS, counts, List.of()).encode();
    }
}
