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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Every codec of what ha-core stores in znodes, against random, truncated, bit-flipped and JSON-shaped input: a
 * decode returns a value or throws {@link CorruptDataException} naming the node, never another exception and never
 * hangs (a reader that got anything else would crash instead of dead-lettering the one bad node); and every valid
 * value survives an encode and decode unchanged.
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

    /** One stored form: how the framework decodes it, encodes it, and what a valid value looks like. */
    record Codec<T>(String name, Function<byte[], T> decode, Function<T, byte[]> encode, Arbitrary<T> values) {
        static <T> Codec<T> json(Class<T> type, Arbitrary<T> values) {
            return new Codec<>(type.getSimpleName(), data -> Json.read(PATH, data, type), Json::write, values);
        }

        Arbitrary<Encoded> encoded() {
            return values.map(v -> new Encoded(this, v, encode.apply(v)));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A valid value with its encoding. */
    record Encoded(Codec<?> codec, Object value, byte[] data) {
        @Override
        public String toString() {
            return codec + " " + new String(data, StandardCharsets.UTF_8);
        }
    }

    private static final List<Codec<?>> CODECS = List.of(
            Codec.json(TaskRecord.class, StoredValues.taskRecord()),
            Codec.json(TaskTemplate.class, StoredValues.template()),
            Codec.json(Assignment.class, StoredValues.assignment()),
            Codec.json(AgentInfo.class, StoredValues.agentInfo()),
            Codec.json(AgentControl.Command.class, StoredValues.command()),
            Codec.json(GroupRecord.class, StoredValues.groupRecord()),
            Codec.json(GroupShard.class, StoredValues.groupShard()),
            Codec.json(TypeLimit.class, StoredValues.typeLimit()),
            Codec.json(ScheduleRecord.class, StoredValues.scheduleRecord()),
            new Codec<>("JoinInput", data -> JoinInput.decode(PATH, data), JoinInput::encode,
                    StoredValues.joinInput()),
            new Codec<>("epoch", data -> EpochCodec.decode(PATH, data), EpochCodec::encode,
                    Arbitraries.longs().greaterOrEqual(0)),
            new Codec<>("PendingLog", PendingLog::decode, log -> PendingLog.encode(log.added(), log.removed()),
                    Combinators.combine(pointerNames().list().ofMaxSize(4), pointerNames().list().ofMaxSize(4))
                            .as(PendingLog::new)));

    @AfterContainer
    static void stopDecoder() {
        DECODER.shutdownNow();
    }

    @Property(tries = 300)
    void anyBytesDecodeOrFailAsCorruptData(@ForAll("codecs") Codec<?> codec, @ForAll("anyBytes") byte[] data) {
        decodeOrCorrupt(codec, data);
    }

    @Property(tries = 1000)
    void damagedEncodingsDecodeOrFailAsCorruptData(@ForAll("damaged") Encoded damaged) {
        decodeOrCorrupt(damaged.codec(), damaged.data());
    }

    @Property(tries = 500)
    void jsonOfTheWrongShapeDecodesOrFailsAsCorruptData(@ForAll("codecs") Codec<?> codec,
                                                          @ForAll("jsonish") String json) {
        decodeOrCorrupt(codec, json.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 1000)
    void objectsWithTheTypesOwnFieldsDecodeOrFailAsCorruptData(@ForAll("shaped") Encoded shaped) {
        decodeOrCorrupt(shaped.codec(), shaped.data());
    }

    @Property(tries = 300)
    void validValuesRoundTrip(@ForAll("encoded") Encoded encoded) {
        Object decoded = decodeOrCorrupt(encoded.codec(), encoded.data());
        if (encoded.value() instanceof JoinInput) {
            // Its members hold byte arrays, compared by identity in a record: compare what is stored instead.
            assertThat(((JoinInput) decoded).encode()).isEqualTo(encoded.data());
        } else {
            assertThat(decoded).isEqualTo(encoded.value());
        }
    }

    @Property(tries = 500)
    void pointerNamesRoundTripAndAnyNameParsesOrIsRefused(@ForAll("pendingEntries") PendingEntry entry,
                                                           @ForAll String anyName) {
        assertThat(PendingEntry.parse(entry.name())).isEqualTo(entry);
        PendingEntry parsed = PendingEntry.parse(anyName);
        if (parsed != null) {
            assertThat(parsed.taskId()).isNotEmpty();
        }
    }

    @Example
    void taskRecordWithoutIdTypeOrStateIsCorruptData() {
        // The leader compares a placed record's id with its pointer's: a record without one crashed it.
        for (String json : List.of("{}", "{\"type\":\"t\",\"state\":\"PENDING\"}", "{\"id\":\"x\",\"state\":\"PENDING\"}",
                "{\"id\":\"x\",\"type\":\"t\"}")) {
            assertThatThrownBy(() -> Json.read(PATH, json.getBytes(StandardCharsets.UTF_8), TaskRecord.class))
                    .as(json).isInstanceOf(CorruptDataException.class).hasMessageContaining(PATH);
        }
    }

    @Example
    void templateWithoutTypeIsCorruptData() {
        for (String json : List.of("{}", "{\"id\":\"x\",\"type\":\"t\",\"state\":\"PENDING\",\"onSuccess\":[{}]}")) {
            Class<?> type = json.contains("state") ? TaskRecord.class : TaskTemplate.class;
            assertThatThrownBy(() -> Json.read(PATH, json.getBytes(StandardCharsets.UTF_8), type))
                    .as(json).isInstanceOf(CorruptDataException.class).hasMessageContaining(PATH);
        }
    }

    @Example
    void joinInputWithNullMembersOrCountsIsCorruptData() {
        for (String json : List.of("{\"group\":\"g\",\"form\":\"RESULTS\",\"members\":[null]}",
                "{\"group\":\"g\",\"form\":\"COUNTS\",\"counts\":{\"SUCCEEDED\":null}}",
                "{\"group\":\"g\",\"form\":\"STATES\",\"ids\":[null],\"states\":\"S\"}")) {
            assertThatThrownBy(() -> JoinInput.decode(PATH, json.getBytes(StandardCharsets.UTF_8)))
                    .as(json).isInstanceOf(CorruptDataException.class).hasMessageContaining(PATH);
        }
    }

    @Example
    void corruptEpochIsCorruptDataNamingTheNode() {
        for (String text : List.of("x", "-1", "1e3", "99999999999999999999", "\u0661\u0662")) {
            assertThatThrownBy(() -> EpochCodec.decode(PATH, text.getBytes(StandardCharsets.UTF_8)))
                    .as(text).isInstanceOf(CorruptDataException.class).hasMessageContaining(PATH);
        }
        assertThat(EpochCodec.decode(PATH, " 42\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(42);
        assertThat(EpochCodec.decode(PATH, new byte[0])).isZero();
    }

    @Example
    void deeplyNestedJsonIsCorruptDataNotAStackOverflow() {
        String deep = "[".repeat(200_000);
        String templates = "{\"type\":\"t\",\"onSuccess\":[".repeat(5_000);
        for (Codec<?> codec : CODECS) {
            decodeOrCorrupt(codec, deep.getBytes(StandardCharsets.UTF_8));
            decodeOrCorrupt(codec, templates.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Decodes on a separate thread so that a hang fails the try instead of the build. */
    private static Object decodeOrCorrupt(Codec<?> codec, byte[] data) {
        Future<?> decoding = DECODER.submit(() -> {
            Object value = codec.decode().apply(data);
            // What a reader does first with a value it decoded: log it, compare it, put it in a map.
            if (value != null && (value.toString() == null || !value.equals(value))) {
                throw new AssertionError("unusable value decoded: " + value);
            }
            if (value != null) {
                value.hashCode();
            }
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

    @Provide
    Arbitrary<Codec<?>> codecs() {
        return Arbitraries.of(CODECS);
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    @Provide
    Arbitrary<Encoded> encoded() {
        return Arbitraries.oneOf(CODECS.stream().map(Codec::encoded).toList());
    }

    /** A valid encoding cut short, with bits flipped, bytes overwritten or a span cut out. */
    @Provide
    Arbitrary<Encoded> damaged() {
        return encoded().flatMap(e -> {
            int n = e.data().length;
            Arbitrary<Integer> at = Arbitraries.integers().between(0, Math.max(0, n - 1));
            Arbitrary<byte[]> truncated = Arbitraries.integers().between(0, n).map(k -> Arrays.copyOf(e.data(), k));
            Arbitrary<byte[]> flipped = Combinators.combine(at.list().ofMinSize(1).ofMaxSize(3),
                    Arbitraries.integers().between(0, 7)).as((positions, bit) -> {
                        byte[] copy = e.data().clone();
                        positions.stream().filter(p -> p < n).forEach(p -> copy[p] ^= (byte) (1 << bit));
                        return copy;
                    });
            Arbitrary<byte[]> overwritten = Combinators.combine(at, Arbitraries.of((byte) '"', (byte) '{',
                    (byte) '}', (byte) '[', (byte) ',', (byte) ':', (byte) 'n', (byte) '-', (byte) '9', (byte) 0,
                    (byte) 0xff, (byte) '\n', (byte) '\\')).as((p, b) -> {
                        byte[] copy = e.data().clone();
                        if (p < n) {
                            copy[p] = b;
                        }
                        return copy;
                    });
            Arbitrary<byte[]> spliced = Combinators.combine(at, at).as((a, b) -> {
                byte[] out = new byte[n - (Math.max(a, b) - Math.min(a, b))];
                System.arraycopy(e.data(), 0, out, 0, Math.min(a, b));
                System.arraycopy(e.data(), Math.max(a, b), out, Math.min(a, b), n - Math.max(a, b));
                return out;
            });
            return Arbitraries.oneOf(truncated, flipped, overwritten, spliced)
                    .map(data -> new Encoded(e.codec(), e.value(), data));
        });
    }

    /** JSON built from the fields and enum names of the stored types, with values of every JSON kind. */
    @Provide
    Arbitrary<String> jsonish() {
        return jsonValue(3);
    }

    /** A JSON object with fields of the codec's own type, holding values of any JSON kind. */
    @Provide
    Arbitrary<Encoded> shaped() {
        return Arbitraries.of(CODECS).flatMap(codec -> {
            List<String> fields = fieldsOf(codec);
            Arbitrary<String> key = fields.isEmpty() ? Arbitraries.of(WORDS)
                    : Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, Arbitraries.of(fields)),
                            net.jqwik.api.Tuple.of(1, Arbitraries.of(WORDS)));
            return Combinators.combine(key, jsonValue(2)).as((k, v) -> quote(k) + ":" + v).list().ofMaxSize(8)
                    .map(f -> "{" + String.join(",", f) + "}")
                    .map(json -> new Encoded(codec, null, json.getBytes(StandardCharsets.UTF_8)));
        });
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

    private static Arbitrary<String> jsonValue(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-1", "1", "2147483648", "-9223372036854775809",
                        "1e400", "0.5", "NaN", "\"\"", "\"AA==\"", "\"%%%\""),
                Arbitraries.longs().map(l -> Long.toString(l)),
                Arbitraries.of(WORDS).map(CodecPropertyTest::quote),
                Arbitraries.strings().ofMaxLength(8).map(CodecPropertyTest::quote));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> inner = Arbitraries.lazy(() -> jsonValue(depth - 1));
        Arbitrary<String> array = inner.list().ofMaxSize(3).map(items -> "[" + String.join(",", items) + "]");
        Arbitrary<String> object = Combinators.combine(Arbitraries.of(WORDS), inner).as((k, v) -> quote(k) + ":" + v)
                .list().ofMaxSize(6).map(fields -> "{" + String.join(",", fields) + "}");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, scalar), net.jqwik.api.Tuple.of(1, array), net.jqwik.api.Tuple.of(4, object));
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

    @Provide
    Arbitrary<PendingEntry> pendingEntries() {
        return Combinators.combine(Arbitraries.integers().between(0, 999),
                Arbitraries.longs().between(0, 9_999_999_999_999L), taskIds(), Arbitraries.of(true, false),
                StoredValues.name().injectNull(0.3)).as(PendingEntry::new);
    }

    private static Arbitrary<String> taskIds() {
        return Arbitraries.strings().withCharRange('0', '9').withCharRange('a', 'f').withChars('-')
                .ofMinLength(1).ofMaxLength(24);
    }

    private static Arbitrary<String> pointerNames() {
        return Combinators.combine(Arbitraries.integers().between(0, 999),
                Arbitraries.longs().between(0, 9_999_999_999_999L), taskIds(), Arbitraries.of(true, false),
                StoredValues.name().injectNull(0.3)).as(PendingEntry::pointerName);
    }
}
