package io.ha.agent.cli;

import io.ha.agent.exec.ExecPayload;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The task a command creates, as {@code submit} and {@code schedule add} both take it (a picocli mixin): type,
 * payload (from {@code --payload}, {@code --payload-file}, stdin {@code -}, or for {@code --type exec} the command
 * after {@code --}, both given as the command's positional arguments), attempts, priority, back-off, timeout,
 * labels, exec settings, and a chain of {@code --then} follow-up
 * steps. {@link #resolve} checks it all and reads the payload without a connection; what is per submission (an
 * idempotency key, a start delay) is the command's own.
 */
final class TaskOptions {
    /** Bytes kept in memory at most; beyond it the rest is only counted, for the error message. */
    private static final int READ_CAP = TaskQueue.MAX_PAYLOAD_CEILING + 1;

    /** Checked in {@link #resolve} rather than by picocli: {@code submit --batch} takes its types from the file. */
    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "Task type (handler name); required.")
    String type;

    @Option(names = {"-p", "--payload"}, paramLabel = "TEXT", description = "Payload text (UTF-8).")
    String payloadText;

    @Option(names = {"-f", "--payload-file"}, paramLabel = "FILE",
            description = "Read the payload from FILE ('-' for stdin).")
    String payloadFile;

    @Option(names = "--max-attempts", paramLabel = "N",
            description = "Attempts before the task goes DEAD (1-1000, default 3).")
    Integer maxAttempts;

    @Option(names = "--priority", paramLabel = "N", description = "0-999, higher runs first (default 100).")
    Integer priority;

    @Option(names = "--retry-backoff", paramLabel = "DURATION",
            description = "Delay before the second attempt, doubling per attempt (default 1s).")
    Duration retryBackoff;

    @Option(names = {"-l", "--label"}, paramLabel = "LABEL",
            description = "Run only on agents with this label (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Longest an attempt may run: the handler is interrupted (for exec: its process tree is "
                    + "killed) and the attempt fails, then is retried or ends DEAD.")
    Duration timeout;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE",
            description = "exec only: environment variable (repeatable).")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--env-secret", paramLabel = "KEY=VALUE|KEY=@FILE|KEY=file:NAME",
            description = {"exec only: secret environment variable (repeatable). VALUE, or the content of the local "
                    + "FILE, is sealed (AES-GCM) with --secret-key-file; file:NAME makes the agent read NAME in its "
                    + "exec.secrets.dir. Stored and shown only as a reference, never in clear text."})
    List<String> envSecret = new ArrayList<>();

    @Option(names = "--secret-key-file", paramLabel = "FILE",
            description = "The cluster's secret key (readable by you only; default $" + SecretSealer.ENV_KEY_FILE
                    + "), to seal --env-secret values. Make one with 'ha-ctl secret-key FILE'.")
    String secretKeyFile;

    @Option(names = "--cwd", paramLabel = "DIR", description = "exec only: working directory on the agent.")
    String cwd;

    @Option(names = "--then", paramLabel = "SCRIPT", arity = "1",
            description = {"exec only: a follow-up step, run as sh -c SCRIPT once the previous step succeeded, with "
                    + "that step's result (its output) on stdin and HA_PARENT_ID set. Repeat for a chain "
                    + "A -> B -> C; a failed step ends the chain.",
                    "Steps take the first task's --timeout, --env, --env-secret, --cwd, --label, --priority, "
                            + "--max-attempts and --retry-backoff."})
    List<String> then = new ArrayList<>();

    /** What the positional arguments after the command's own ones say (picocli cannot mix them in). */
    static final String ARGS_HELP = "'-' to read the payload from stdin; for --type exec, the command and its "
            + "arguments (after --).";

    private List<String> args = List.of();
    private Map<String, String> secretEnv = Map.of();
    private byte[] payload;
    private long payloadSize;

    /**
     * Checks the options and reads the payload ({@code stdin} for '-'; never closed).
     *
     * @param positional the command's positional arguments: '-', or the exec command and its arguments
     * @param environment the environment ({@value SecretSealer#ENV_KEY_FILE} names the key file to seal with)
     * @throws CtlException USAGE naming the problem
     */
    void resolve(List<String> positional, InputStream stdin, Map<String, String> environment) {
        args = List.copyOf(positional);
        if (type == null) {
            throw CtlException.usage("Missing required option: '--type=TYPE'");
        }
        boolean exec = ExecPayload.TYPE.equals(type);
        boolean stdinArg = !exec && args.equals(List.of("-"));
        int sources = (payloadText != null ? 1 : 0) + (payloadFile != null ? 1 : 0) + (stdinArg ? 1 : 0);
        if (sources > 1) {
            throw CtlException.usage("give at most one of --payload, --payload-file and '-'");
        }
        if (exec) {
            secretEnv = new SecretSealer(secretKeyFile, environment).fromArguments(envSecret);
            resolveExec(sources, stdin);
        } else {
            if (!args.isEmpty() && !stdinArg) {
                throw CtlException.usage("unexpected arguments " + args + ": only --type exec takes a command; "
                        + "use '-' to read the payload from stdin");
            }
            if (!this.env.isEmpty() || !envSecret.isEmpty() || cwd != null) {
                throw CtlException.usage("--env, --env-secret and --cwd apply only to --type exec");
            }
            if (!then.isEmpty()) {
                throw CtlException.usage("--then applies only to --type exec (its steps are exec commands)");
            }
            readPayload(stdinArg ? "-" : payloadFile, stdin);
        }
        for (String script : then) {
            if (script.isBlank()) {
                throw CtlException.usage("--then needs a command, got an empty one");
            }
        }
        builder(); // validates the settings now, before any connection
    }

    /**
     * A builder preset with everything but per-submission fields, the {@code --then} chain attached.
     *
     * @throws CtlException USAGE when a value is out of range
     */
    TaskSpec.Builder builder() {
        try {
            TaskSpec.Builder head = preset(type).payload(payload == null ? new byte[0] : payload);
            TaskSpec next = null;
            for (int i = then.size() - 1; i >= 0; i--) {
                TaskSpec.Builder step = preset(ExecPayload.TYPE).payload(new ExecPayload(
                        List.of("sh", "-c", then.get(i)), env, cwd, 0, secretEnv).toJson());
                next = (next == null ? step : step.then(next)).build();
            }
            return next == null ? head : head.then(next);
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    private TaskSpec.Builder preset(String taskType) {
        TaskSpec.Builder b = TaskSpec.builder(taskType).labels(new LinkedHashSet<>(labels));
        if (maxAttempts != null) {
            b.maxAttempts(maxAttempts);
        }
        if (priority != null) {
            b.priority(priority);
        }
        if (retryBackoff != null) {
            b.retryBackoff(retryBackoff);
        }
        if (timeout != null) {
            b.timeout(timeout);
        }
        return b;
    }

    /**
     * Refuses a payload over the queue's limit, with the queue's own wording; the queue never sees payloads too big
     * to hold here.
     *
     * @throws CtlException FAILED naming the size and the limit
     */
    void checkPayloadLimit(TaskQueue queue) {
        if (payload == null || payloadSize > queue.maxPayloadBytes()) {
            throw CtlException.failed("payload of task of type '" + type + "' is " + payloadSize
                    + " bytes, over the limit of " + queue.maxPayloadBytes() + " bytes");
        }
    }

    int payloadBytes() {
        return payload == null ? 0 : payload.length;
    }

    private void resolveExec(int sources, InputStream stdin) {
        if (sources == 1) {
            if (!args.isEmpty() || !env.isEmpty() || !secretEnv.isEmpty() || cwd != null) {
                throw CtlException.usage("give the exec command either as a payload or as arguments after --, "
                        + "not both");
            }
            readPayload(payloadFile, stdin);
            if (payload != null) {
                try {
                    ExecPayload.fromJson("(submit)", payload);
                } catch (RuntimeException e) {
                    throw CtlException.usage("payload is not a valid exec payload: " + e.getMessage());
                }
            }
            return;
        }
        if (args.isEmpty()) {
            throw CtlException.usage("--type exec needs a command: --type exec [--timeout D] [--env K=V]... "
                    + "[--env-secret K=V]... [--cwd DIR] [--then SCRIPT]... -- COMMAND [ARGS...]");
        }
        try {
            // The time limit is the task's (--timeout): interrupted at the deadline, the handler kills the tree.
            payload = new ExecPayload(args, env, cwd, 0, secretEnv).toJson();
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
        payloadSize = payload.length;
    }

    /** From --payload text, or {@code file} ('-' for stdin), or nothing. */
    private void readPayload(String file, InputStream stdin) {
        if (payloadText != null) {
            payload = payloadText.getBytes(StandardCharsets.UTF_8);
            payloadSize = payload.length;
            return;
        }
        if (file == null) {
            payload = new byte[0];
            return;
        }
        try (InputStream in = file.equals("-") ? nonClosing(stdin) : Files.newInputStream(Path.of(file))) {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                if (total < READ_CAP) {
                    kept.write(buf, 0, (int) Math.min(n, READ_CAP - total));
                }
                total += n;
            }
            payloadSize = total;
            payload = total < READ_CAP ? kept.toByteArray() : null;
        } catch (IOException e) {
            throw CtlException.usage("cannot read payload " + (file.equals("-") ? "from stdin" : "file " + file)
                    + " (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + ")");
        }
    }

    private static InputStream nonClosing(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {
                // stdin belongs to the caller.
            }
        };
    }
}
