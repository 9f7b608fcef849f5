package io.ha.core;

import io.ha.core.membership.AgentControl;
import io.ha.core.membership.AgentInfo;
import io.ha.core.schedule.MisfirePolicy;
import io.ha.core.schedule.OverlapPolicy;
import io.ha.core.schedule.ScheduleRecord;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.GroupState;
import io.ha.core.task.JoinInput;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.TaskTemplate;
import io.ha.core.task.TypeLimit;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.GroupRecord;
import io.ha.core.task.store.GroupShard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik arbitraries of the values ha-core stores in znodes, each valid as the framework writes it: the inputs of
 * the codec round-trip properties and the seeds of their corrupted encodings.
 */
final class StoredValues {
    private StoredValues() {
    }

    /** Any text, including characters no name may hold (quotes, newlines, non-ASCII). */
    static Arbitrary<String> text() {
        return Arbitraries.strings().ofMaxLength(24);
    }

    static Arbitrary<String> optionalText() {
        return text().injectNull(0.3);
    }

    /** A name that {@link Names#validate} accepts. */
    static Arbitrary<String> name() {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars("-_.:=")
                .ofMinLength(1).ofMaxLength(20).filter(n -> !n.equals(".") && !n.equals(".."));
    }

    static Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    }

    static Arbitrary<TaskEvent> event() {
        return Combinators.combine(Arbitraries.longs().greaterOrEqual(0), Arbitraries.of(TaskState.class),
                Arbitraries.integers().between(1, 100), optionalText(), optionalText()).as(TaskEvent::new);
    }

    static Arbitrary<TaskTemplate> template() {
        return template(2);
    }

    private static Arbitrary<TaskTemplate> template(int depth) {
        Arbitrary<List<TaskTemplate>> followUps = depth == 0 ? Arbitraries.just(List.of())
                : Arbitraries.lazy(() -> template(depth - 1)).list().ofMaxSize(2);
        return combine(List.of(name(), bytes(), Arbitraries.integers().between(0, 999),
                Arbitraries.integers().between(1, 20), Arbitraries.longs().between(0, 600_000), name().set()
                        .ofMaxSize(3), followUps, followUps, Arbitraries.longs().between(0, 86_400_000),
                name().injectNull(0.5)), v -> new TaskTemplate((String) v.get(0), (byte[]) v.get(1), (int) v.get(2),
                (int) v.get(3), (long) v.get(4), set(v.get(5)), list(v.get(6)), list(v.get(7)), (long) v.get(8),
                (String) v.get(9)));
    }

    static Arbitrary<TaskRecord> taskRecord() {
        Arbitrary<Long> millis = Arbitraries.longs().between(0, 4_000_000_000_000L);
        return combine(List.of(name(), name(), bytes(), Arbitraries.integers().between(0, 999),
                Arbitraries.integers().between(1, 20), Arbitraries.longs().between(0, 600_000), millis,
                name().injectNull(0.5), name().set().ofMaxSize(3), millis, Arbitraries.of(TaskState.class),
                Arbitraries.integers().between(1, 30), name().injectNull(0.5), Arbitraries.longs().between(0, 1000),
                optionalText(), bytes().injectNull(0.5), event().list().ofMaxSize(4),
                template(1).list().ofMaxSize(2), template(1).list().ofMaxSize(2), name().injectNull(0.5),
                bytes().injectNull(0.5), name().list().ofMaxSize(3), Arbitraries.longs().between(0, 86_400_000),
                name().injectNull(0.5), name().injectNull(0.5), Arbitraries.integers().between(-1, 1000),
                Arbitraries.integers().between(1, 30)), v -> new TaskRecord((String) v.get(0), (String) v.get(1),
                (byte[]) v.get(2), (int) v.get(3), (int) v.get(4), (long) v.get(5), (long) v.get(6),
                (String) v.get(7), set(v.get(8)), (long) v.get(9), (TaskState) v.get(10), (int) v.get(11),
                (String) v.get(12), (long) v.get(13), (String) v.get(14), (byte[]) v.get(15), list(v.get(16)),
                list(v.get(17)), list(v.get(18)), (String) v.get(19), (byte[]) v.get(20), list(v.get(21)),
                (long) v.get(22), (String) v.get(23), (String) v.get(24), (int) v.get(25), (int) v.get(26)));
    }

    static Arbitrary<Assignment> assignment() {
        return combine(List.of(name(), name(), Arbitraries.integers().between(0, 30),
                Arbitraries.longs().between(0, 1000), Arbitraries.longs().greaterOrEqual(0),
                Arbitraries.integers().between(-1, 100), optionalText(), name().injectNull(0.3),
                name().injectNull(0.5)), v -> new Assignment((String) v.get(0), (String) v.get(1), (int) v.get(2),
                (long) v.get(3), (long) v.get(4), (int) v.get(5), (String) v.get(6), (String) v.get(7),
                (String) v.get(8)));
    }

    static Arbitrary<AgentInfo> agentInfo() {
        return combine(List.of(name(), text(), Arbitraries.longs().between(1, 4_000_000),
                Arbitraries.longs().greaterOrEqual(0), Arbitraries.integers().between(1, 64),
                name().set().ofMaxSize(3), text(), name().injectNull(0.5), Arbitraries.of(true, false),
                name().set().ofMaxSize(3)), v -> new AgentInfo((String) v.get(0), (String) v.get(1),
                (long) v.get(2), (long) v.get(3), (int) v.get(4), set(v.get(5)), (String) v.get(6),
                (String) v.get(7), (boolean) v.get(8), set(v.get(9))));
    }

    static Arbitrary<AgentControl.Command> command() {
        return Combinators.combine(name(), Arbitraries.longs().greaterOrEqual(0), name())
                .as(AgentControl.Command::new);
    }

    static Arbitrary<GroupShard> groupShard() {
        Arbitrary<GroupShard.Entry> entry = Combinators.combine(name(), Arbitraries.of(TaskState.class)
                        .injectNull(0.5), name().injectNull(0.5), optionalText(),
                Arbitraries.integers().between(1, 1 << 20).injectNull(0.5)).as(GroupShard.Entry::new);
        return Combinators.combine(Arbitraries.integers().between(0, 100), entry.list().ofMaxSize(5))
                .as(GroupShard::new);
    }

    static Arbitrary<GroupRecord> groupRecord() {
        return combine(List.of(name(), Arbitraries.integers().between(1, 10_000),
                Arbitraries.integers().between(1, 400), Arbitraries.of(true, false), template(1).injectNull(0.3),
                template(1).injectNull(0.5), Arbitraries.of(GroupState.class), Arbitraries.integers().between(0, 400),
                name().injectNull(0.5), Arbitraries.of(true, false), Arbitraries.longs().greaterOrEqual(0),
                Arbitraries.integers().between(1, 1 << 20)), v -> new GroupRecord((String) v.get(0), (int) v.get(1),
                (int) v.get(2), (boolean) v.get(3), (TaskTemplate) v.get(4), (TaskTemplate) v.get(5),
                (GroupState) v.get(6), (int) v.get(7), (String) v.get(8), (boolean) v.get(9), (long) v.get(10),
                (int) v.get(11)));
    }

    static Arbitrary<TypeLimit> typeLimit() {
        Arbitrary<Integer> count = Arbitraries.integers().between(1, 1000).injectNull(0.4);
        Arbitrary<Double> rate = Arbitraries.doubles().between(0.001, 10_000).ofScale(3).injectNull(0.4);
        return Combinators.combine(name(), count, count, rate, count)
                .as((type, max, perKey, r, burst) -> new TypeLimit(type, max, perKey, r, r == null ? null : burst))
                .ignoreException(IllegalArgumentException.class);
    }

    static Arbitrary<ScheduleRecord> scheduleRecord() {
        Arbitrary<Trigger> trigger = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.longs().between(100, 86_400_000),
                        Arbitraries.longs().greaterOrEqual(0)).as(Trigger.FixedRate::new),
                Arbitraries.longs().between(100, 86_400_000).map(Trigger.FixedDelay::new),
                Combinators.combine(Arbitraries.of("*/5 * * * *", "0 3 * * 1-5", "0 0/15 * * * ?", "30 2 1 * *"),
                        Arbitraries.of("UTC", "Europe/Berlin", "America/New_York")).as(Trigger.CronTrigger::new));
        Arbitrary<Long> counter = Arbitraries.longs().between(0, 1_000_000);
        return combine(List.of(name(), trigger, template(1), Arbitraries.of(true, false),
                Arbitraries.of(MisfirePolicy.class), Arbitraries.of(OverlapPolicy.class),
                Arbitraries.integers().between(1, 10_000), counter, counter, name().injectNull(0.5), counter, counter,
                counter), v -> new ScheduleRecord((String) v.get(0), (Trigger) v.get(1), (TaskTemplate) v.get(2),
                (boolean) v.get(3), (MisfirePolicy) v.get(4), (OverlapPolicy) v.get(5), (int) v.get(6),
                (long) v.get(7), (long) v.get(8), (String) v.get(9), (long) v.get(10), (long) v.get(11),
                (long) v.get(12)));
    }

    /** Join inputs of each form, shaped as the group's last outcome builds them. */
    static Arbitrary<JoinInput> joinInput() {
        Arbitrary<Map<TaskState, Integer>> counts = Arbitraries.maps(Arbitraries.of(TaskState.class),
                Arbitraries.integers().between(0, 10_000)).ofMaxSize(4);
        Arbitrary<List<JoinInput.Member>> results = Combinators.combine(name(), Arbitraries.of(TaskState.class),
                        name(), bytes().injectNull(0.5), optionalText())
                .as((id, state, endedBy, result, error) -> new JoinInput.Member(0, id, state, endedBy, result, error))
                .list().ofMaxSize(4).map(StoredValues::indexed);
        Arbitrary<List<JoinInput.Member>> states = Combinators.combine(name(), Arbitraries.of(TaskState.SUCCEEDED,
                        TaskState.FAILED, TaskState.DEAD, TaskState.CANCELLED))
                .as((id, state) -> new JoinInput.Member(0, id, state, null, null, null))
                .list().ofMaxSize(4).map(StoredValues::indexed);
        Arbitrary<JoinInput.Form> form = Arbitraries.of(JoinInput.Form.class);
        return form.flatMap(f -> Combinators.combine(name(), Arbitraries.integers().between(0, 10_000), counts,
                f == JoinInput.Form.RESULTS ? results : f == JoinInput.Form.STATES ? states
                        : Arbitraries.just(List.<JoinInput.Member>of()))
                .as((group, size, c, members) -> new JoinInput(group, size, f, c, members)));
    }

    private static List<JoinInput.Member> indexed(List<JoinInput.Member> members) {
        List<JoinInput.Member> out = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            JoinInput.Member m = members.get(i);
            out.add(new JoinInput.Member(i, m.id(), m.state(), m.endedBy(), m.result(), m.error()));
        }
        return out;
    }

    /** Combines any number of arbitraries (jqwik's own combine stops at eight), keeping shrinking. */
    @SuppressWarnings("unchecked")
    private static <R> Arbitrary<R> combine(List<Arbitrary<?>> parts, Function<List<Object>, R> make) {
        List<Arbitrary<Object>> objects = new ArrayList<>();
        parts.forEach(p -> objects.add((Arbitrary<Object>) p));
        return Combinators.combine(objects).as(make::apply);
    }

    @SuppressWarnings("unchecked")
    private static <T> java.util.Set<T> set(Object value) {
        return (java.util.Set<T>) value;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object value) {
        return (List<T>) value;
    }
}
