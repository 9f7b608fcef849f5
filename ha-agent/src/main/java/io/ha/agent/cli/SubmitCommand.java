package io.ha.agent.cli;

import io.ha.agent.exec.ExecPayload;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import java.io.ByteArrayOutputStream;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl submit}: stores one task and prints its id. The payload comes from {@code --payload},
 * {@code --payload-file} or stdin ({@code -}); for {@code --type exec} it is built from the command after {@code --}.
 * With {@code --key}, submitting again returns the first task's id and adds nothing.
 */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Submit a task and print its id.",
        footerHeading = "%nExamples:%n",
        footer = {"  ha-ctl submit --type resize --payload '{\"src\":\"a.png\"}' --key upload-1",
                "  ha-ctl submit --type resize - < payload.json",
                "  ha-ctl submit --type exec --timeout 5m --env LANG=C -- echo hello"})
final class SubmitCommand extends CtlCommand {
    /** Bytes kept in memory at most; beyond it the rest is only counted, for the error message. */
    private static final int READ_CAP = TaskQueue.MAX_PAYLOAD_CEILING + 1;

    @Option(names = {"-t", "--type"}, required = true, paramLabel = "TYPE", description = "Task type (handler name).")
    String type;

    @Option(names = {"-p", "--payload"}, paramLabel = "TEXT", description = "Payload text (UTF-8).")
    String payloadText;

    @Option(names = {"-f", "--payload-file"}, paramLabel = "FILE",
            description = "Read the payload from FILE ('-' for stdin).")
    String payloadFile;

    @Option(names = {"-k", "--key"}, paramLabel = "IDEMPOTENCY_KEY",
            description = "Idempotency key: a second submit with the same key returns the first task's id.")
    String key;

    @Option(names = "--max-attempts", paramLabel = "N",
            description = "Attempts before the task goes DEAD (1-1000, default 3).")
    Integer maxAttempts;

    @Option(names = "--delay", paramLabel = "DURATION", description = "Do not start before this delay has passed.")
    Duration delay;

    @Option(names = "--priority", paramLabel = "N", description = "0-999, higher runs first (default 100).")
    Integer priority;

    @Option(names = "--retry-backoff", paramLabel = "DURATION",
            description = "Delay before the second attempt, doubling per attempt (default 1s).")
    Duration retryBackoff;

    @Option(names = {"-l", "--label"}, paramLabel = "LABEL",
            description = "Run only on agents with this label (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", description = "exec only: kill the command after this long.")
    Duration execTimeout;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE",
            description = "exec only: environment variable (repeatable).")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--cwd", paramLabel = "DIR", description = "exec only: working directory on the agent.")
    String cwd;

    @Parameters(paramLabel = "ARGS", arity = "0..*",
            description = "'-' to read the payload from stdin; for --type exec, the command and its arguments "
                    + "(after --).")
    List<String> args = new ArrayList<>();

    private byte[] payload;
    private long payloadSize;
    private TaskSpec spec;

    @Override
    protected void validate() {
        boolean exec = ExecPayload.TYPE.equals(type);
        boolean stdinArg = !exec && args.equals(List.of("-"));
        int sources = (payloadText != null ? 1 : 0) + (payloadFile != null ? 1 : 0) + (stdinArg ? 1 : 0);
        if (sources > 1) {
            throw CtlException.usage("give at most one of --payload, --payload-file and '-'");
        }
        if (exec) {
            validateExec(sources);
        } else {
            if (!args.isEmpty() && !stdinArg) {
                throw CtlException.usage("unexpected arguments " + args + ": only --type exec takes a command; "
                        + "use '-' to read the payload from stdin");
            }
            if (execTimeout != null || !env.isEmpty() || cwd != null) {
                throw CtlException.usage("--timeout, --env and --cwd apply only to --type exec");
            }
            readPayload(stdinArg ? "-" : payloadFile);
        }
        try {
            TaskSpec.Builder b = TaskSpec.builder(type).payload(payload == null ? new byte[0] : payload)
                    .idempotencyKey(key).labels(new LinkedHashSet<>(labels));
            if (maxAttempts != null) {
                b.maxAttempts(maxAttempts);
            }
            if (priority != null) {
                b.priority(priority);
            }
            if (retryBackoff != null) {
                b.retryBackoff(retryBackoff);
            }
            if (delay != null) {
                b.delay(delay);
            }
            spec = b.build();
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    private void validateExec(int sources) {
        if (sources == 1) {
            if (!args.isEmpty() || execTimeout != null || !env.isEmpty() || cwd != null) {
                throw CtlException.usage("give the exec command either as a payload or as arguments after --, "
                        + "not both");
            }
            readPayload(payloadFile);
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
            throw CtlException.usage("--type exec needs a command: ha-ctl submit --type exec [--timeout D] "
                    + "[--env K=V]... [--cwd DIR] -- COMMAND [ARGS...]");
        }
        try {
            payload = new ExecPayload(args, env, cwd, execTimeout == null ? 0 : execTimeout.toMillis()).toJson();
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
        payloadSize = payload.length;
    }

    /** From --payload text, or {@code file} ('-' for stdin), or nothing. */
    private void readPayload(String file) {
        if (payloadText != null) {
            payload = payloadText.getBytes(StandardCharsets.UTF_8);
            payloadSize = payload.length;
            return;
        }
        if (file == null) {
            payload = new byte[0];
            return;
        }
        try (InputStream in = file.equals("-") ? nonClosing(root.stdin()) : Files.newInputStream(Path.of(file))) {
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
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
                // stdin belongs to the caller.
            }
        };
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        TaskQueue queue = connection.cluster().taskQueue();
        if (payload == null || payloadSize > queue.maxPayloadBytes()) {
            // The same wording as the queue's own refusal; the queue never sees payloads too big to hold here.
            throw CtlException.failed("payload of task of type '" + type + "' is " + payloadSize
                    + " bytes, over the limit of " + queue.maxPayloadBytes() + " bytes");
        }
        String id = queue.submit(spec);
        if (json()) {
            printJson(new Views.Submitted(id, type, payload.length, key));
        } else {
            out().println(id);
        }
        return CtlException.OK;
    }
}
