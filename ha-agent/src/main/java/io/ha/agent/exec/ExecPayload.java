package io.ha.agent.exec;

import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import io.ha.core.task.TaskPayloads;
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

    public ExecPayload {
        Preconditions.checkArgument(command != null && !command.isEmpty() && !command.get(0).isBlank(),
                "exec payload needs a command (program and arguments)");
        command = List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        Preconditions.checkArgument(timeoutMs >= 0, "exec timeoutMs must not be negative: %s", timeoutMs);
    }

    /** {@code {"command":[...],"env":{...},"cwd":...,"timeoutMs":...}}, the form {@link #fromJson} reads. */
    public byte[] toJson() {
        return TaskPayloads.toJson(this);
    }

    /**
     * Unknown fields are ignored, so a payload written by a newer ha-ctl still runs.
     *
     * @throws CorruptDataException naming the task when the payload is not valid exec JSON (the record's own checks,
     *                              no command or a negative timeout, included)
     */
    public static ExecPayload fromJson(String taskId, byte[] json) {
        return TaskPayloads.fromJson("exec payload of task " + taskId, json, ExecPayload.class);
    }
}
