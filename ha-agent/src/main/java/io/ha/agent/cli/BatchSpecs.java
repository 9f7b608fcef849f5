package io.ha.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ha.agent.config.Durations;
import io.ha.agent.exec.ExecPayload;
import io.ha.core.task.TaskSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The task specs of {@code ha-ctl submit --batch}: one JSON object per line, empty lines skipped. Fields: {@code type}
 * (required), {@code payload} (a string, or any other JSON value, stored as its JSON text) or {@code payloadBase64},
 * for {@code exec} also {@code command} (array), {@code env} (object), {@code secretEnv} (object of
 * {@code VALUE | @FILE | file:NAME}, as {@code --env-secret} takes them) and {@code cwd} instead of a payload;
 * {@code priority}, {@code maxAttempts}, {@code retryBackoff}, {@code timeout}, {@code delay} (durations in HA's
 * grammar, such as {@code "30s"}), {@code notBefore} (ISO-8601 instant), {@code key} (idempotency key),
 * {@code labels} (array of strings), {@code concurrencyKey}.
 *
 * <p>Guarantee: {@link #parse} reads and checks every line before it returns, so a bad line is refused before anything
 * is submitted; the error names the line number and the problem (an unknown field, a wrong type, a value out of
 * range). Not guaranteed: that the queue accepts what passes here (its payload limit is checked with
 * {@link #checkPayloadLimit} once connected).
 */
final class BatchSpecs {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final Set<String> FIELDS = Set.of("type", "payload", "payloadBase64", "command", "env", "secretEnv",
            "cwd",
            "priority", "maxAttempts", "retryBackoff", "timeout", "delay", "notBefore", "key", "labels",
            "concurrencyKey");

    /** One spec and the line it came from (1-based). */
    record Line(int number, TaskSpec spec) {
    }

    private final List<Line> lines;

    private BatchSpecs(List<Line> lines) {
        this.lines = List.copyOf(lines);
    }

    /**
     * Reads all lines of {@code in}.
     *
     * @param source how the input is named in errors ("stdin", a file name)
     * @param sealer  turns the lines' {@code secretEnv} values into references
     * @throws CtlException USAGE naming the source, the line number and the problem of the first bad line
     */
    static BatchSpecs parse(BufferedReader in, String source, SecretSealer sealer) {
        List<Line> out = new ArrayList<>();
        int number = 0;
        try {
            String text;
            while ((text = in.readLine()) != null) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    out.add(new Line(number, spec(text, sealer)));
                } catch (IllegalArgumentException e) {
                    throw CtlException.usage(source + " line " + number + ": " + e.getMessage());
                } catch (CtlException e) {
                    throw CtlException.usage(source + " line " + number + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw CtlException.usage("cannot read " + source + " after line " + number + " (" + e.getMessage() + ")");
        }
        if (out.isEmpty()) {
            throw CtlException.usage(source + " holds no task specs");
        }
        return new BatchSpecs(out);
    }

    List<Line> lines() {
        return lines;
    }

    /** The specs in the order of their lines. */
    List<TaskSpec> specs() {
        return lines.stream().map(Line::spec).toList();
    }

    /** @throws CtlException FAILED naming the first line whose payload is over {@code maxBytes} */
    void checkPayloadLimit(int maxBytes, String source) {
        for (Line line : lines) {
            int size = line.spec().payload().length;
            if (size > maxBytes) {
                throw CtlException.failed(source + " line " + line.number() + ": payload of task of type '"
                        + line.spec().type() + "' is " + size + " bytes, over the limit of " + maxBytes + " bytes");
            }
        }
    }

    private static TaskSpec spec(String text, SecretSealer sealer) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object (a task spec such as {\"type\":\"resize\","
                    + "\"payload\":\"a.png\"})");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "' (known: " + String.join(", ",
                        FIELDS.stream().sorted().toList()) + ")");
            }
        }
        String type = text(node, "type");
        if (type == null) {
            throw new IllegalArgumentException("'type' is required");
        }
        TaskSpec.Builder b = TaskSpec.builder(type).payload(payload(node, type, sealer));
        if (node.has("priority")) {
            b.priority(integer(node, "priority"));
        }
        if (node.has("maxAttempts")) {
            b.maxAttempts(integer(node, "maxAttempts"));
        }
        Duration backoff = duration(node, "retryBackoff");
        if (backoff != null) {
            b.retryBackoff(backoff);
        }
        Duration timeout = duration(node, "timeout");
        if (timeout != null) {
            b.timeout(timeout);
        }
        Duration delay = duration(node, "delay");
        String notBefore = text(node, "notBefore");
        if (delay != null && notBefore != null) {
            throw new IllegalArgumentException("give at most one of 'delay' and 'notBefore'");
        }
        if (delay != null) {
            b.delay(delay);
        }
        if (notBefore != null) {
            try {
                b.notBefore(Instant.parse(notBefore));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'notBefore' must be an ISO-8601 instant such as "
                        + "2030-01-01T00:00:00Z, got '" + notBefore + "'");
            }
        }
        b.idempotencyKey(text(node, "key"));
        b.labels(strings(node, "labels"));
        b.concurrencyKey(text(node, "concurrencyKey"));
        return b.build();
    }

    private static byte[] payload(JsonNode node, String type, SecretSealer sealer) {
        boolean execFields = node.has("command") || node.has("env") || node.has("secretEnv") || node.has("cwd");
        int sources = (node.has("payload") ? 1 : 0) + (node.has("payloadBase64") ? 1 : 0) + (execFields ? 1 : 0);
        if (sources > 1) {
            throw new IllegalArgumentException("give at most one of 'payload', 'payloadBase64' and the exec fields "
                    + "'command', 'env', 'secretEnv', 'cwd'");
        }
        if (execFields) {
            if (!ExecPayload.TYPE.equals(type)) {
                throw new IllegalArgumentException("'command', 'env', 'secretEnv' and 'cwd' apply only to type exec");
            }
            Map<String, String> secretEnv = sealer.references(variables(node, "secretEnv"), "'secretEnv'");
            return new ExecPayload(List.copyOf(strings(node, "command")), variables(node, "env"), text(node, "cwd"),
                    0, secretEnv).toJson();
        }
        if (node.has("payloadBase64")) {
            try {
                return Base64.getDecoder().decode(text(node, "payloadBase64"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'payloadBase64' is not base64 (" + e.getMessage() + ")");
            }
        }
        JsonNode p = node.get("payload");
        if (p == null || p.isNull()) {
            return new byte[0];
        }
        byte[] bytes = p.isTextual() ? p.asText().getBytes(StandardCharsets.UTF_8)
                : p.toString().getBytes(StandardCharsets.UTF_8);
        if (ExecPayload.TYPE.equals(type)) {
            try {
                ExecPayload.fromJson("(batch)", bytes);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("payload is not a valid exec payload: " + e.getMessage());
            }
        }
        return bytes;
    }

    private static Map<String, String> variables(JsonNode node, String field) {
        Map<String, String> vars = new LinkedHashMap<>();
        JsonNode e = node.get(field);
        if (e != null && !e.isNull()) {
            if (!e.isObject()) {
                throw new IllegalArgumentException("'" + field + "' must be an object of strings");
            }
            e.fields().forEachRemaining(f -> vars.put(f.getKey(), f.getValue().asText()));
        }
        return vars;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' must be a string, got " + v);
        }
        return v.asText();
    }

    private static int integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (!v.isInt()) {
            throw new IllegalArgumentException("'" + field + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static Duration duration(JsonNode node, String field) {
        String text = text(node, field);
        return text == null ? null : Durations.parse("'" + field + "'", text, Durations.BareNumber.ZERO_ONLY);
    }

    private static Set<String> strings(JsonNode node, String field) {
        JsonNode v = node.get(field);
        Set<String> out = new LinkedHashSet<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("'" + field + "' must be an array of strings, got " + v);
        }
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("'" + field + "' must be an array of strings, got " + v);
            }
            out.add(item.asText());
        }
        return out;
    }
}
