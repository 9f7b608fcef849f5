package io.ha.agent.exec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import io.ha.core.task.TaskPayloads;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The payload of an {@code exec} task (JSON): the command as an argument array (no shell unless you run one), extra
 * environment variables, secret variables, the working directory, and a timeout after which the process tree is
 * killed.
 *
 * <p>Secret variables are stored as references ({@link SecretReference}: {@code file:NAME} or a sealed value), never
 * as clear text; the agent resolves them ({@link SecretResolver}) just before the command starts. Output shows a
 * payload only through {@link #masked()}, which hides every value, plain ones included.
 *
 * @param command    program and arguments, at least the program
 * @param env        environment variables added to the agent's own, may be empty
 * @param cwd        working directory, or null for the agent's
 * @param timeoutMs  kill the process tree after this many milliseconds; 0 means no timeout
 * @param secretEnv  secret variables: name to reference, may be empty (absent from the JSON when empty); a name may
 *                   not also be in {@code env}
 */
@JsonPropertyOrder({"command", "env", "cwd", "timeoutMs", "secretEnv"})
public record ExecPayload(List<String> command, Map<String, String> env, String cwd, long timeoutMs,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> secretEnv) {
    /** The task type the built-in exec handler serves. */
    public static final String TYPE = "exec";
    /** How output shows the value of a plain variable. */
    public static final String MASK = "***";

    @JsonCreator
    public ExecPayload {
        Preconditions.checkArgument(command != null && !command.isEmpty() && !command.get(0).isBlank(),
                "exec payload needs a command (program and arguments)");
        command = List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        secretEnv = secretEnv == null ? Map.of() : Map.copyOf(secretEnv);
        Preconditions.checkArgument(timeoutMs >= 0, "exec timeoutMs must not be negative: %s", timeoutMs);
        for (String name : secretEnv.keySet()) {
            Preconditions.checkArgument(!name.isEmpty() && name.indexOf('=') < 0 && name.indexOf('\0') < 0,
                    "exec secret variable names must be non-empty, without '=': got '%s'", name);
            Preconditions.checkArgument(!env.containsKey(name), "exec variable %s is given both as a plain and as "
                    + "a secret variable", name);
        }
    }

    /** A payload without secret variables. */
    public ExecPayload(List<String> command, Map<String, String> env, String cwd, long timeoutMs) {
        this(command, env, cwd, timeoutMs, Map.of());
    }

    /** {@code {"command":[...],"env":{...},"cwd":...,"timeoutMs":...[,"secretEnv":{...}]}}, as {@link #fromJson} reads. */
    public byte[] toJson() {
        return TaskPayloads.toJson(this);
    }

    /**
     * Unknown fields are ignored, so a payload written by a newer ha-ctl still runs; a missing {@code secretEnv} is
     * empty.
     *
     * @throws CorruptDataException naming the task when the payload is not valid exec JSON (the record's own checks,
     *                              no command or a negative timeout, included)
     */
    public static ExecPayload fromJson(String taskId, byte[] json) {
        return TaskPayloads.fromJson("exec payload of task " + taskId, json, ExecPayload.class);
    }

    /**
     * The form every output shows (ha-ctl's task views, logs): the command, cwd and timeout as they are, every plain
     * value as {@value #MASK}, every secret one as {@code (secret: file:NAME)} or {@code (secret: sealed, key ID)}
     * ({@code (secret: invalid reference)} when it does not parse). Names are sorted.
     */
    public Masked masked() {
        Map<String, String> plain = new LinkedHashMap<>();
        new TreeMap<>(env).keySet().forEach(name -> plain.put(name, MASK));
        Map<String, String> secret = new LinkedHashMap<>();
        new TreeMap<>(secretEnv).forEach((name, ref) -> secret.put(name, "(secret: " + describe(ref) + ")"));
        return new Masked(command, Collections.unmodifiableMap(plain), cwd, timeoutMs,
                Collections.unmodifiableMap(secret));
    }

    private static String describe(String reference) {
        try {
            return SecretReference.parse(reference).describe();
        } catch (SecretException e) {
            return "invalid reference";
        }
    }

    /** Never shows a value: only the command, the variables' names and the kinds of their references. */
    @Override
    public String toString() {
        return "ExecPayload" + masked();
    }

    /** {@link ExecPayload#masked()}: a payload as output shows it, with no variable's value. */
    @JsonPropertyOrder({"command", "env", "cwd", "timeoutMs", "secretEnv"})
    public record Masked(List<String> command, Map<String, String> env, String cwd, long timeoutMs,
                         Map<String, String> secretEnv) {
        /** As JSON, in the payload's own shape. */
        public byte[] toJson() {
            return TaskPayloads.toJson(this);
        }

        @Override
        public String toString() {
            return "[command=" + command + ", env=" + env + ", cwd=" + cwd + ", timeoutMs=" + timeoutMs
                    + ", secretEnv=" + secretEnv + "]";
        }
    }
}
