package io.ha.agent.cli;

import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl submit}: stores one task (or, with {@code --then}, the first step of a chain) and prints its id. The
 * task is described by {@link TaskOptions}. With {@code --key}, submitting again returns the first task's id and adds
 * nothing.
 */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Submit a task and print its id.",
        footerHeading = "%nExamples:%n",
        footer = {"  ha-ctl submit --type resize --payload '{\"src\":\"a.png\"}' --key upload-1",
                "  ha-ctl submit --type resize - < payload.json",
                "  ha-ctl submit --type exec --timeout 5m --env LANG=C -- echo hello",
                "  ha-ctl submit --type exec --then 'sort -u' --then 'wc -l' -- ls /data",
                "      a chain of three steps, each reading the previous step's output on stdin;",
                "      the id printed is the first step's ('ha-ctl task ID' shows its children)"})
final class SubmitCommand extends CtlCommand {
    @Mixin
    TaskOptions task;

    @Option(names = {"-k", "--key"}, paramLabel = "IDEMPOTENCY_KEY",
            description = "Idempotency key: a second submit with the same key returns the first task's id.")
    String key;

    @Option(names = "--delay", paramLabel = "DURATION", description = "Do not start before this delay has passed.")
    Duration delay;

    @Parameters(paramLabel = "ARGS", arity = "0..*", description = TaskOptions.ARGS_HELP)
    List<String> args = new ArrayList<>();

    private TaskSpec spec;

    @Override
    protected void validate() {
        task.resolve(args, root.stdin());
        try {
            TaskSpec.Builder b = task.builder().idempotencyKey(key);
            if (delay != null) {
                b.delay(delay);
            }
            spec = b.build();
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        TaskQueue queue = connection.cluster().taskQueue();
        task.checkPayloadLimit(queue);
        String id = queue.submit(spec);
        if (json()) {
            printJson(new Views.Submitted(id, task.type, task.payloadBytes(), key));
        } else {
            out().println(id);
        }
        return CtlException.OK;
    }
}
