package io.ha.core.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ha.core.CorruptDataException;
import io.ha.core.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The input of a group's join (and onFailure) task: the members in index order with the state each ended in and,
 * when they fit the payload limit, their results or errors. Decode it in the join's handler with {@link #of}.
 *
 * <p>Guarantee: the input was built in the transaction that recorded the last member's outcome, so it names every
 * member's final state. When the results do not fit the queue's payload limit the input lists ids and states only
 * ({@link Form#STATES}; read results with {@link TaskQueue#get}), and when even that does not fit, only the counts
 * ({@link Form#COUNTS}; list the members with {@link TaskQueue#group}); the members' terminal records are kept until
 * the join's chain has ended. Not guaranteed: that a member's result is there in {@link Form#STATES} or
 * {@link Form#COUNTS} form.
 */
public record JoinInput(String groupId, int size, Form form, Map<TaskState, Integer> counts, List<Member> members) {
    /** How much of the members the input carries. */
    public enum Form { RESULTS, STATES, COUNTS }

    /**
     * One member's outcome. {@code endedBy} (the task whose outcome ended the member's chain: the member itself, or
     * the last step of its chain), {@code result} and {@code error} are present in {@link Form#RESULTS} only.
     */
    public record Member(int index, String id, TaskState state, String endedBy, byte[] result, String error) {
        /** The result as UTF-8 text, or null when there is none. */
        public String resultText() {
            return result == null ? null : new String(result, StandardCharsets.UTF_8);
        }

        public boolean succeeded() {
            return state == TaskState.SUCCEEDED;
        }
    }

    public JoinInput {
        counts = Map.copyOf(counts);
        members = List.copyOf(members);
    }

    /** Whether {@link #members()} lists every member (false for {@link Form#COUNTS}). */
    public boolean membersIncluded() {
        return form != Form.COUNTS;
    }

    /** The join input of the task {@code ctx} runs. */
    public static JoinInput of(TaskContext ctx) {
        return decode("join input of task " + ctx.taskId(), ctx.input());
    }

    /**
     * @throws CorruptDataException naming {@code what} when the bytes are no join input
     */
    public static JoinInput decode(String what, byte[] input) {
        Wire w = Json.read(what, input, Wire.class);
        if (w.group() == null || w.form() == null) {
            throw new CorruptDataException(what, "not a group's join input");
        }
        Map<TaskState, Integer> counts = w.counts() == null ? Map.of() : w.counts();
        if (w.counts() != null && (w.counts().containsKey(null) || w.counts().containsValue(null))) {
            throw new CorruptDataException(what, "join input counts hold a null");
        }
        List<Member> members = new ArrayList<>();
        if (w.form() == Form.RESULTS && w.members() != null) {
            for (int i = 0; i < w.members().size(); i++) {
                WireMember m = w.members().get(i);
                if (m == null || m.id() == null) {
                    throw new CorruptDataException(what, "join input member " + i + " has no id");
                }
                members.add(new Member(i, m.id(), m.state(), m.endedBy() == null ? m.id() : m.endedBy(), m.result(),
                        m.error()));
            }
        } else if (w.form() == Form.STATES && w.ids() != null && w.states() != null) {
            if (w.ids().size() != w.states().length()) {
                throw new CorruptDataException(what, w.ids().size() + " ids but " + w.states().length() + " states");
            }
            for (int i = 0; i < w.ids().size(); i++) {
                if (w.ids().get(i) == null) {
                    throw new CorruptDataException(what, "join input member " + i + " has no id");
                }
                members.add(new Member(i, w.ids().get(i), stateOf(w.states().charAt(i)), null, null, null));
            }
        }
        return new JoinInput(w.group(), w.size(), w.form(), counts, members);
    }

    /** The stored form: objects per member with results, or ids and one letter per state (S, F, D, C). */
    public byte[] encode() {
        Map<TaskState, Integer> c = new EnumMap<>(TaskState.class);
        c.putAll(counts);
        if (form == Form.RESULTS) {
            List<WireMember> out = members.stream().map(m -> new WireMember(m.id(), m.state(),
                    m.endedBy() == null || m.endedBy().equals(m.id()) ? null : m.endedBy(), m.result(), m.error()))
                    .toList();
            return Json.write(new Wire(groupId, size, form, c, out, null, null));
        }
        if (form == Form.STATES) {
            StringBuilder states = new StringBuilder(members.size());
            members.forEach(m -> states.append(m.state() == null ? '?' : m.state().name().charAt(0)));
            return Json.write(new Wire(groupId, size, form, c, null, members.stream().map(Member::id).toList(),
                    states.toString()));
        }
        return Json.write(new Wire(groupId, size, form, c, null, null, null));
    }

    private static TaskState stateOf(char letter) {
        return switch (letter) {
            case 'S' -> TaskState.SUCCEEDED;
            case 'F' -> TaskState.FAILED;
            case 'D' -> TaskState.DEAD;
            case 'C' -> TaskState.CANCELLED;
            default -> null;
        };
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Wire(String group, int size, Form form, Map<TaskState, Integer> counts, List<WireMember> members,
                List<String> ids, String states) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WireMember(String id, TaskState state, String endedBy, byte[] result, String error) {
    }
}
