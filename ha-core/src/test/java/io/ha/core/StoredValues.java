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
import io.ha.core.testing.RandomCases.Gen;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Generators of the values ha-core stores in znodes, each valid as the framework writes it: the inputs of the
 * codec round-trip properties and the seeds of their corrupted encodings. Optional fields are null now and then,
 * lists and sets often empty; the values are not guaranteed to cover every combination of fields.
 */
final class StoredValues {
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_.:=";

    private StoredValues() {
    }

    /** Any text, including characters no name may hold (quotes, newlines, NUL, non-ASCII, lone surrogates). */
    static String text(Gen g) {
        return g.text(24);
    }

    static String optionalText(Gen g) {
        return g.orNull(0.3, () -> text(g));
    }

    /** A name that {@link Names#validate} accepts. */
    static String name(Gen g) {
        while (true) {
            String name = g.string(NAME_CHARS, 1, 20);
            if (!name.equals(".") && !name.equals("..")) {
                return name;
            }
        }
    }

    static String optionalName(Gen g, double nullChance) {
        return g.orNull(nullChance, () -> name(g));
    }

    static byte[] bytes(Gen g) {
        return g.bytes(40);
    }

    static TaskEvent event(Gen g) {
        return new TaskEvent(g.naturals(), g.pick(TaskState.class), g.ints(1, 100), optionalText(g),
                optionalText(g));
    }

    static TaskTemplate template(Gen g) {
        return template(g, 2);
    }

    private static TaskTemplate template(Gen g, int depth) {
        return new TaskTemplate(name(g), bytes(g), g.ints(0, 999), g.ints(1, 20), g.longs(0, 600_000),
                g.set(3, () -> name(g)), followUps(g, depth), followUps(g, depth), g.longs(0, 86_400_000),
                optionalName(g, 0.5));
    }

    private static List<TaskTemplate> followUps(Gen g, int depth) {
        return depth == 0 ? List.of() : g.list(2, () -> template(g, depth - 1));
    }

    static TaskRecord taskRecord(Gen g) {
        return new TaskRecord(name(g), name(g), bytes(g), g.ints(0, 999), g.ints(1, 20), g.longs(0, 600_000),
                millis(g), optionalName(g, 0.5), g.set(3, () -> name(g)), millis(g), g.pick(TaskState.class),
                g.ints(1, 30), optionalName(g, 0.5), g.longs(0, 1000), optionalText(g),
                g.orNull(0.5, () -> bytes(g)), g.list(4, () -> event(g)), g.list(2, () -> template(g, 1)),
                g.list(2, () -> template(g, 1)), optionalName(g, 0.5), g.orNull(0.5, () -> bytes(g)),
                g.list(3, () -> name(g)), g.longs(0, 86_400_000), optionalName(g, 0.5), optionalName(g, 0.5),
                g.ints(-1, 1000), g.ints(1, 30));
    }

    private static long millis(Gen g) {
        return g.longs(0, 4_000_000_000_000L);
    }

    static Assignment assignment(Gen g) {
        return new Assignment(name(g), name(g), g.ints(0, 30), g.longs(0, 1000), g.naturals(), g.ints(-1, 100),
                optionalText(g), optionalName(g, 0.3), optionalName(g, 0.5));
    }

    static AgentInfo agentInfo(Gen g) {
        return new AgentInfo(name(g), text(g), g.longs(1, 4_000_000), g.naturals(), g.ints(1, 64),
                g.set(3, () -> name(g)), text(g), optionalName(g, 0.5), g.chance(0.5), g.set(3, () -> name(g)));
    }

    static AgentControl.Command command(Gen g) {
        return new AgentControl.Command(name(g), g.naturals(), name(g));
    }

    static GroupShard groupShard(Gen g) {
        return new GroupShard(g.ints(0, 100), g.list(5, () -> new GroupShard.Entry(name(g),
                g.orNull(0.5, () -> g.pick(TaskState.class)), optionalName(g, 0.5), optionalText(g),
                g.orNull(0.5, () -> g.ints(1, 1 << 20)))));
    }

    static GroupRecord groupRecord(Gen g) {
        return new GroupRecord(name(g), g.ints(1, 10_000), g.ints(1, 400), g.chance(0.5),
                g.orNull(0.3, () -> template(g, 1)), g.orNull(0.5, () -> template(g, 1)), g.pick(GroupState.class),
                g.ints(0, 400), optionalName(g, 0.5), g.chance(0.5), g.naturals(), g.ints(1, 1 << 20));
    }

    /** A limit the constructor accepts: combinations it refuses are drawn again. */
    static TypeLimit typeLimit(Gen g) {
        while (true) {
            String type = name(g);
            Integer max = count(g);
            Integer perKey = count(g);
            Double rate = g.orNull(0.4, () -> rate(g));
            Integer burst = count(g);
            try {
                return new TypeLimit(type, max, perKey, rate, rate == null ? null : burst);
            } catch (IllegalArgumentException refused) {
                // Not a value the framework writes: draw another.
            }
        }
    }

    private static Integer count(Gen g) {
        return g.orNull(0.4, () -> g.ints(1, 1000));
    }

    /** In [0.001, 10000] with three decimals. */
    private static double rate(Gen g) {
        return g.longs(1, 10_000_000) / 1000.0;
    }

    static ScheduleRecord scheduleRecord(Gen g) {
        Trigger trigger = switch (g.ints(0, 2)) {
            case 0 -> new Trigger.FixedRate(g.longs(100, 86_400_000), g.naturals());
            case 1 -> new Trigger.FixedDelay(g.longs(100, 86_400_000));
            default -> new Trigger.CronTrigger(g.pick("*/5 * * * *", "0 3 * * 1-5", "0 0/15 * * * ?", "30 2 1 * *"),
                    g.pick("UTC", "Europe/Berlin", "America/New_York"));
        };
        return new ScheduleRecord(name(g), trigger, template(g, 1), g.chance(0.5), g.pick(MisfirePolicy.class),
                g.pick(OverlapPolicy.class), g.ints(1, 10_000), counter(g), counter(g), optionalName(g, 0.5),
                counter(g), counter(g), counter(g));
    }

    private static long counter(Gen g) {
        return g.longs(0, 1_000_000);
    }

    /** Join inputs of each form, shaped as the group's last outcome builds them. */
    static JoinInput joinInput(Gen g) {
        JoinInput.Form form = g.pick(JoinInput.Form.class);
        String group = name(g);
        int size = g.ints(0, 10_000);
        Map<TaskState, Integer> counts = new HashMap<>();
        for (int i = g.ints(0, 4); i > 0; i--) {
            counts.put(g.pick(TaskState.class), g.ints(0, 10_000));
        }
        List<JoinInput.Member> members = new ArrayList<>();
        if (form != JoinInput.Form.COUNTS) {
            for (int i = 0, n = g.ints(0, 4); i < n; i++) {
                members.add(form == JoinInput.Form.RESULTS
                        ? new JoinInput.Member(i, name(g), g.pick(TaskState.class), name(g),
                                g.orNull(0.5, () -> bytes(g)), optionalText(g))
                        : new JoinInput.Member(i, name(g), g.pick(TaskState.SUCCEEDED, TaskState.FAILED,
                                TaskState.DEAD, TaskState.CANCELLED), null, null, null));
            }
        }
        return new JoinInput(group, size, form, counts, members);
    }
}
