package io.ha.agent.exec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The payload of an {@code exec} task (JSON): the command as an argument array (no shell unless you run one), extra
 * environment variables, the working directory, and a timeout after which the process tree is killed.
 *
 * @param command    program and arguments, at least the program
 * @param env        environment variables added to the agent's own, may be empty
 * @param cwd        working directory, or null for the agent's
 * @param timeoutMs  kill the process tree after this many milliseconds; 0 means no timeout
 */
public record ExecPayload(List<String> command, Map<String, String> env, String cwd, long timeoutMs) {
    /** The task type the built-in exec handler serves. */
    public static final String TYPE = "exec";
    /**
     * The same settings as ha-core's codec for stored data: unknown fields are ignored, so a payload written by a
     * newer ha-ctl (with a field this agent does not know) still runs.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public ExecPayload {
        Preconditions.checkArgument(command != null && !command.isEmpty() && !command.get(0).isBlank(),
                "exec payload needs a command (program and arguments)");
        command = List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        Preconditions.checkArgument(timeoutMs >= 0, "exec timeoutMs must not be negative: %s", timeoutMs);
    }

    /** {@code {"command":[...],"env":{...},"cwd":...,"timeoutMs":...}}, the form {@link #fromJson} reads. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode ExecPayload as JSON", e);
        }
    }

    /** @throws CorruptDataException naming the task when the payload is not valid exec JSON */
    public static ExecPayload fromJson(String taskId, byte[] json) {
        String what = "exec payload of task " + taskId;
        if (json == null || json.length == 0) {
            throw new CorruptDataException(what, "no data");
        }
        try {
            return JSON.readValue(json, ExecPayload.class);
        } catch (IOException | RuntimeException e) {
            // The record's own checks (no command, a negative timeout) arrive wrapped as well: all are bad payloads.
            throw new CorruptDataException(what, e.getMessage());
        }
    }
}
