package io.ha.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.ha.core.internal.EpochCodec;
import io.ha.core.internal.Json;
import io.ha.core.membership.AgentControl;
import io.ha.core.membership.AgentInfo;
import io.ha.core.schedule.ScheduleRecord;
import io.ha.core.task.JoinInput;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.TaskTemplate;
import io.ha.core.task.TypeLimit;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.GroupRecord;
import io.ha.core.task.store.GroupShard;
import io.ha.core.task.store.PendingEntry;
import io.ha.core.task.store.PendingLog;
import io.ha.core.testing.RandomCases;
import io.ha.core.testing.RandomCases.Gen;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every codec of what ha-core stores in znodes, against random, truncated, bit-flipped and JSON-shaped input: a
 * decode returns a value or throws {@link CorruptDataException} naming the node, never another exception and never
 * hangs (a reader that got anything else would crash instead of dead-lettering the one bad node); and every valid
 * value survives an encode and decode unchanged. Cases come from {@link RandomCases} (a failure names its seed).
 */
class CodecPropertyTest {
    private static final String PATH = "/ha/props/node-under-test";
    /** Generous for one decode of a few hundred bytes; only a hang comes near it. */
    private static final long DECODE_TIMEOUT_SECONDS = 10;
    private static final ExecutorService DECODER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "codec-property-decoder");
        t.setDaemon(true);
        return t;
    });
    /** What a damaged encoding may have a byte overwritten with: JSON's structure, NUL, an invalid UTF-8 byte. */
    private static final byte[] OVERWRITES = {'"', '{', '}', '[', ',', ':', 'n', '-', '9', 0, (byte) 0xff, '\n',
        '\\'};

    /** One stored form: how the framework decodes it, encodes it, and what a valid value looks like. */
    record Codec<T>(String name, Function<byte[], T> decode, Function<T, byte[]> encode, Function<Gen, T> values) {
        static <T> Codec<T> json(Class<T> type, Function<Gen, T> values) {
            return new Codec<>(type.getSimpleName(), data -> Json.read(PATH, data, type), Json::write, values);
        }

        Encoded encoded(Gen g) {
            T value = values.apply(g);
            return new Encoded(this, value, encode.apply(value));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Data for a codec: a valid value with its encoding, or (value null) bytes that may be anything. */
    record Encoded(Codec<?> codec, Object value, byte[] data) {
        Encoded withData(byte[] other) {
            return new Encoded(codec, value, other);
        }

        @Override
        public String toString() {
            return codec + " " + new String(data, StandardCharsets.UTF_8);
        }
    }

    /** A name a pending entry was made from, and any string to parse as one. */
    record Names(PendingEntry entry, String anyName) {
    }

    private static final List<Codec<?>> CODECS = List.of(
            Codec.json(TaskRecord.class, StoredValues::taskRecord),
            Codec.json(TaskTemplate.class, StoredValues::template),
            Codec.json(Assignment.class, StoredValues::assignment),
            Codec.json(AgentInfo.class, StoredValues::agentInfo),
            Codec.json(AgentControl.Command.class, StoredValues::command),
            Codec.json(GroupRecord.class, StoredValues::groupRecord),
            Codec.json(GroupShard.class, StoredValues::groupShard),
            Codec.json(TypeLimit.class, StoredValues::typeLimit),
            Codec.json(ScheduleRecord.class, StoredValues::scheduleRecord),
            new Codec<>("JoinInput", data -> JoinInput.decode(PATH, data), JoinInput::encode,
                    StoredValues::joinInput),
            new Codec<>("epoch", data -> EpochCodec.decode(PATH, data), EpochCodec::encode, Gen::naturals),
            new Codec<>("PendingLog", PendingLog::decode, log -> PendingLog.encode(log.added(), log.removed()),
                    g -> new PendingLog(g.list(4, () -> pointerName(g)), g.list(4, () -> pointerName(g)))));

    @AfterAll
    static void stopDecoder() {
        DECODER.shutdownNow();
    }

    @Test
    void anyBytesDecodeOrFailAsCorruptData() {
        RandomCases.check(300, g -> new Encoded(g.pick(CODECS), null, g.bytes(200)),
                in -> decodeOrCorrupt(in.codec(), in.data()));
    }

    @Test
    void damagedEncodingsDecodeOrFailAsCorruptData() {
        RandomCases.check(1000, CodecPropertyTest::damaged, in -> decodeOrCorrupt(in.codec(), in.data()));
    }

    @Test
    void jsonOfTheWrongShapeDecodesOrFailsAsCorruptData() {
        RandomCases.check(500, g -> new Encoded(g.pick(CODECS), null, jsonValue(g, 3).getBytes(StandardCharsets.UTF_8)),
                in -> decodeOrCorrupt(in.codec(), in.data()));
    }

    @Test
    void objectsWithTheTypesOwnFieldsDecodeOrFailAsCorruptData() {
        RandomCases.check(1000, CodecPropertyTest::shaped, in -> decodeOrCorrupt(in.codec(), in.data()));
    }

    @Test
    void validValuesRoundTrip() {
        RandomCases.check(300, g -> g.pick(CODECS).encoded(g), encoded -> {
            Object decoded = decodeOrCorrupt(encoded.codec(), encoded.data());
            if (encoded.value() instanceof JoinInput) {
                // Its members hold byte arrays, compared by identity in a record: compare what is stored instead.
                assertThat(((JoinInput) decoded).encode()).isEqualTo(encoded.data());
            } else {
                assertThat(decoded).isEqualTo(encoded.value());
            }
        });
    }

    @Test
    void pointerNamesRoundTripAndAnyNameParsesOrIsRefused() {
        RandomCases.check(500, g -> new Names(pendingEntry(g), g.text(30)), names -> {
            assertThat(PendingEntry.parse(names.entry().name())).isEqualTo(names.entry());
            PendingEntry parsed = PendingEntry.parse(names.anyName());
            if (parsed != null) {
                assertThat(parsed.taskId()).isNotEmpty();
            }
        });
    }

    @Test
    void taskRecordWithoutIdTypeOrStateIsCorruptData() {
        // The leader compares a placed record's id with its pointer's: a record without one crashed it.
        for (String json : List.of("{}", "{\"type\":\"t\",\"state\":\"PENDING\"}", "{\"id\":\"x\",\"state\":\"PENDING\"}",
                "{\"id\":\"x\",\"type\":\"t\"}")) {
            assertThatThrownBy(() -> Json.read(PATH, json.getBytes(StandardCharsets.UTF_8), TaskRecord.class))
                    .as(json).isInstanceOf(CorruptDataException.class).hasMessageContaining(PATH);
        }
    }

    @Test
    void jsonNullIsCorruptData() {
        for (Class<?> type : CODECS_BY_TYPE.values()) {
            assertThatThrownBy(() -> Json.read(PATH, "null".getBytes(StandardCharsets.UTF_8), type))
                    .as(type.getSimpleName()).isInstanceOf(CorruptDataException.class).hasMessageContaining(PATH);
        }
    }

    @Test
    void templateWithoutTypeIsCorruptData() {
        for (String json : List.of("{}", "{\"id\":\"x\",\"type\":\"t\",\"state\":\"PENDING\",\"onSuccess\":[{}]}")) {
            Class<?> type = json.contains("state") ? TaskRecord.class : TaskTemplate.class;
            assertThatThrownBy(() -> Json.read(PATH, json.getBytes(StandardCharsets.UTF_8), type))
                    .as(json).isInstanceOf(CorruptDataException.class).hasMessageContaining(PATH);
        }
    }

    @Test
    void joinInputWithNullMembersOrCountsIsCorruptData() {
        for (String json : List.of("{\"group\":\"g\",\"form\":\"RESULTS\",\"members\":[null]}",
                "{\"group\":\"g\",\"form\":\"COUNTS\",\"counts\":{\"SUCCEEDED\":null}}",
                "{\"group\":\"g\",\"form\":\"STATES\",\"ids\":[null],\"states\":\"S\"}")) {
            assertThatThrownBy(() -> JoinInput.decode(PATH, json.getBytes(StandardCharsets.UTF_8)))
                    .as(json).isInstanceOf(CorruptDataException.class).hasMessageContaining(PATH);
        }
    }

    @Test
    void corruptEpochIsCorruptDataNamingTheNode() {
        for (String text : List.of("x", "-1", "1e3", "99999999999999999999", "\u0661\u0662")) {
            assertThatThrownBy(() -> EpochCodec.decode(PATH, text.getBytes(StandardCharsets.UTF_8)))
                    .as(text).isInstanceOf(CorruptDataException.class).hasMessageContaining(PATH);
        }
        assertThat(EpochCodec.decode(PATH, " 42\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(42);
        assertThat(EpochCodec.decode(PATH, new byte[0])).isZero();
    }

    @Test
    void deeplyNestedJsonIsCorruptDataNotAStackOverflow() {
        String deep = "[".repeat(200_000);
        String templates = "{\"type\":\"t\",\"onSuccess\":[".repeat(5_000);
        for (Codec<?> codec : CODECS) {
            decodeOrCorrupt(codec, deep.getBytes(StandardCharsets.UTF_8));
            decodeOrCorrupt(codec, templates.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Decodes on a separate thread so that a hang fails the case instead of the build. */
    private static Object decodeOrCorrupt(Codec<?> codec, byte[] data) {
        Future<?> decoding = DECODER.submit(() -> {
            Object value = codec.decode().apply(data);
            if (value == null) {
                // No codec stores null: a reader handed one throws NullPointerException on first use.
                throw new AssertionError("decoded null");
            }
            // What a reader does first with a value it decoded: log it, compare it, put it in a map.
            if (value.toString() == null || !value.equals(value)) {
                throw new AssertionError("unusable value decoded: " + value);
            }
            value.hashCode();
            return value;
        });
        try {
            return decoding.get(DECODE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable problem = e.getCause();
            assertThat(problem).as("decoding %s threw", codec).isInstanceOf(CorruptDataException.class);
            assertThat(((CorruptDataException) problem).path()).isEqualTo(PATH);
            assertThat(problem.getMessage()).startsWith("corrupt data at " + PATH + ": ");
            return null;
        } catch (TimeoutException e) {
            decoding.cancel(true);
            return fail("decoding %s did not end within %s s", codec, DECODE_TIMEOUT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** A valid encoding cut short, with bits flipped, a byte overwritten or a span cut out. */
    private static Encoded damaged(Gen g) {
        Encoded valid = g.pick(CODECS).encoded(g);
        return valid.withData(g.mutate(valid.data(), OVERWRITES));
    }

    /** A JSON object with fields of the codec's own type, holding values of any JSON kind. */
    private static Encoded shaped(Gen g) {
        Codec<?> codec = g.pick(CODECS);
        List<String> fields = fieldsOf(codec);
        List<String> members = g.list(8, () -> quote(fields.isEmpty() || g.weighted(4, 1) == 1 ? g.pick(WORDS)
                : g.pick(fields)) + ":" + jsonValue(g, 2));
        return new Encoded(codec, null, ("{" + String.join(",", members) + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> fieldsOf(Codec<?> codec) {
        Class<?> type = switch (codec.name()) {
            case "JoinInput" -> JoinInput.class;
            case "epoch", "PendingLog" -> null;
            default -> CODECS_BY_TYPE.get(codec.name());
        };
        if (type == null) {
            return List.of();
        }
        List<String> fields = new ArrayList<>();
        Arrays.stream(type.getRecordComponents()).forEach(c -> fields.add(c.getName()));
        if (type == JoinInput.class) {
            fields.addAll(List.of("group", "ids", "states"));
        }
        return fields;
    }

    private static final java.util.Map<String, Class<?>> CODECS_BY_TYPE = java.util.Map.of(
            "TaskRecord", TaskRecord.class, "TaskTemplate", TaskTemplate.class, "Assignment", Assignment.class,
            "AgentInfo", AgentInfo.class, "Command", AgentControl.Command.class, "GroupRecord", GroupRecord.class,
            "GroupShard", GroupShard.class, "TypeLimit", TypeLimit.class, "ScheduleRecord", ScheduleRecord.class);

    /** JSON built from the fields and enum names of the stored types, with values of every JSON kind. */
    private static String jsonValue(Gen g, int depth) {
        int kind = depth == 0 ? 0 : g.weighted(1, 1, 4);
        if (kind == 0) {
            return switch (g.ints(0, 3)) {
                case 0 -> g.pick("null", "true", "false", "0", "-1", "1", "2147483648", "-9223372036854775809",
                        "1e400", "0.5", "NaN", "\"\"", "\"AA==\"", "\"%%%\"");
                case 1 -> Long.toString(g.longs(Long.MIN_VALUE, Long.MAX_VALUE));
                case 2 -> quote(g.pick(WORDS));
                default -> quote(g.text(8));
            };
        }
        if (kind == 1) {
            return "[" + String.join(",", g.list(3, () -> jsonValue(g, depth - 1))) + "]";
        }
        return "{" + String.join(",", g.list(6, () -> quote(g.pick(WORDS)) + ":" + jsonValue(g, depth - 1))) + "}";
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.chars().forEach(c -> out.append(c == '"' || c == '\\' || c < 0x20 ? String.format("\\u%04x", c)
                : String.valueOf((char) c)));
        return out.append('"').toString();
    }

    /** Every field name and enum constant of the stored types, and the trigger kinds. */
    private static final List<String> WORDS = words();

    private static List<String> words() {
        TreeSet<String> words = new TreeSet<>(List.of("kind", "fixed-rate", "fixed-delay", "cron", "group", "form",
                "counts", "members", "ids", "states", "SFDC"));
        for (Class<?> type : List.of(TaskRecord.class, TaskTemplate.class, Assignment.class, AgentInfo.class,
                AgentControl.Command.class, GroupRecord.class, GroupShard.class, GroupShard.Entry.class,
                TypeLimit.class, ScheduleRecord.class, io.ha.core.task.TaskEvent.class,
                io.ha.core.schedule.Trigger.FixedRate.class, io.ha.core.schedule.Trigger.FixedDelay.class,
                io.ha.core.schedule.Trigger.CronTrigger.class)) {
            Arrays.stream(type.getRecordComponents()).forEach(c -> words.add(c.getName()));
        }
        for (Class<? extends Enum<?>> e : List.of(TaskState.class, io.ha.core.task.GroupState.class,
                JoinInput.Form.class, io.ha.core.schedule.MisfirePolicy.class,
                io.ha.core.schedule.OverlapPolicy.class)) {
            Arrays.stream(e.getEnumConstants()).forEach(c -> words.add(c.name()));
        }
        return new ArrayList<>(words);
    }

    private static PendingEntry pendingEntry(Gen g) {
        return new PendingEntry(g.ints(0, 999), g.longs(0, 9_999_999_999_999L), taskId(g), g.chance(0.5),
                StoredValues.optionalName(g, 0.3));
    }

    private static String pointerName(Gen g) {
        return PendingEntry.pointerName(g.ints(0, 999), g.longs(0, 9_999_999_999_999L), taskId(g), g.chance(0.5),
                StoredValues.optionalName(g, 0.3));
    }

    private static String taskId(Gen g) {
        return g.string("0123456789abcdef-", 1, 24);
    }
}
