package io.ha.agent.cli;

import io.ha.agent.exec.ExecPayload;
import io.ha.agent.view.Views;
import io.ha.core.task.GroupSpec;
import io.ha.core.task.GroupSubmission;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl submit}: stores one task (or, with {@code --then}, the first step of a chain) and prints its id. The
 * task is described by {@link TaskOptions}. With {@code --key}, submitting again returns the first task's id and adds
 * nothing. With {@code --batch FILE|-}, stores the tasks of a file of JSON lines ({@link BatchSpecs}) in batched
 * transactions and prints their ids, one per line in the file's order: every line is checked first, so a bad line
 * stores nothing. With {@code --join SCRIPT} as well, the batch is a fan-in group: SCRIPT runs once (as an exec task,
 * {@code sh -c SCRIPT}) after every line's task ended, with the members' ids, states and results on stdin (the JSON of
 * {@code JoinInput}); the group id is printed first, then the members' ids.
 */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Submit a task and print its id; or, with --batch, many tasks from JSON lines.",
        footerHeading = "%nExamples:%n",
        footer = {"  ha-ctl submit --type resize --payload '{\"src\":\"a.png\"}' --key upload-1",
                "  ha-ctl submit --type resize - < payload.json",
                "  ha-ctl submit --type exec --timeout 5m --env LANG=C -- echo hello",
                "  ha-ctl submit --type exec --secret-key-file key --env-secret TOKEN=@token.txt \\",
                "      --env-secret DB_PASSWORD=file:db -- ./deploy.sh",
                "      TOKEN is sealed with the cluster's key, DB_PASSWORD read on the agent from exec.secrets.dir",
                "  ha-ctl submit --type exec --then 'sort -u' --then 'wc -l' -- ls /data",
                "      a chain of three steps, each reading the previous step's output on stdin;",
                "      the id printed is the first step's ('ha-ctl task ID' shows its children)",
                "  ha-ctl submit --batch tasks.jsonl",
                "      one task per line: {\"type\":\"resize\",\"payload\":\"a.png\",\"priority\":5,\"timeout\":\"30s\"}",
                "      (fields: type, payload | payloadBase64 | command/env/secretEnv/cwd for exec, priority,",
                "      maxAttempts, retryBackoff, timeout, delay | notBefore, key, labels, concurrencyKey;",
                "      secretEnv values as --env-secret takes them, sealed with --secret-key-file)",
                "  ha-ctl submit --batch parts.jsonl --join './merge.sh > /data/merged'",
                "      a fan-in group: merge.sh runs once, after every part ended, with the parts' ids,",
                "      states and results as JSON on stdin; prints the group id, then the parts' ids",
                "      ('ha-ctl group ID' follows it)"})
final class SubmitCommand extends CtlCommand {
    @Mixin
    TaskOptions task;

    @Option(names = {"-k", "--key"}, paramLabel = "IDEMPOTENCY_KEY",
            description = "Idempotency key: a second submit with the same key returns the first task's id.")
    String key;

    @Option(names = "--delay", paramLabel = "DURATION", description = "Do not start before this delay has passed.")
    Duration delay;

    @Option(names = "--batch", paramLabel = "FILE",
            description = "Submit the tasks of FILE ('-' for stdin), one JSON object per line, instead of one task "
                    + "from the options; prints the ids in order.")
    String batchFile;

    @Option(names = "--join", paramLabel = "SCRIPT",
            description = "With --batch: make the batch a fan-in group whose join runs sh -c SCRIPT once every task "
                    + "of the batch ended, with their ids, states and results (JSON) on stdin.")
    String joinScript;

    @Option(names = "--on-failure", paramLabel = "SCRIPT",
            description = "With --join: run the join only if every task succeeded; otherwise run sh -c SCRIPT "
                    + "instead, with the same input.")
    String onFailureScript;

    @Parameters(paramLabel = "ARGS", arity = "0..*", description = TaskOptions.ARGS_HELP)
    List<String> args = new ArrayList<>();

    private TaskSpec single;
    private BatchSpecs batch;

    @Override
    protected void validate() {
        if (joinScript != null && batchFile == null) {
            throw CtlException.usage("--join makes a batch a group: give it with --batch FILE");
        }
        if (onFailureScript != null && joinScript == null) {
            throw CtlException.usage("--on-failure applies to a group's join: give it with --join SCRIPT");
        }
        for (String script : new String[] {joinScript, onFailureScript}) {
            if (script != null && script.isBlank()) {
                throw CtlException.usage("--join and --on-failure need a command, got an empty one");
            }
        }
        if (batchFile != null) {
            validateBatch();
            return;
        }
        task.resolve(args, root.stdin(), root.env());
        try {
            TaskSpec.Builder b = task.builder().idempotencyKey(key);
            if (delay != null) {
                b.delay(delay);
            }
            single = b.build();
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    private void validateBatch() {
        Set<String> taskOptions = spec.mixins().get("task").options().stream().map(OptionSpec::longestName)
                .collect(Collectors.toSet());
        List<String> given = spec.commandLine().getParseResult().matchedOptions().stream()
                .map(OptionSpec::longestName)
                .filter(n -> (taskOptions.contains(n) && !n.equals("--secret-key-file")) || n.equals("--key")
                        || n.equals("--delay")).toList();
        if (!given.isEmpty() || !args.isEmpty()) {
            throw CtlException.usage("--batch takes every task from its file; give no task options or arguments "
                    + "with it (got " + String.join(" ", given.isEmpty() ? args : given) + ")");
        }
        String source = batchFile.equals("-") ? "stdin" : batchFile;
        try (BufferedReader in = batchFile.equals("-")
                ? new BufferedReader(new InputStreamReader(root.stdin(), StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(batchFile), StandardCharsets.UTF_8)) {
            batch = BatchSpecs.parse(in, source, new SecretSealer(task.secretKeyFile, root.env()));
        } catch (IOException e) {
            throw CtlException.usage("cannot read " + source + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        TaskQueue queue = connection.cluster().taskQueue();
        if (batch != null) {
            return runBatch(queue);
        }
        task.checkPayloadLimit(queue);
        String id = queue.submit(single);
        if (json()) {
            printJson(new Views.Submitted(id, task.type, task.payloadBytes(), key));
        } else {
            out().println(id);
        }
        return CtlException.OK;
    }

    private int runBatch(TaskQueue queue) throws Exception {
        batch.checkPayloadLimit(queue.maxPayloadBytes(), batchFile.equals("-") ? "stdin" : batchFile);
        if (joinScript != null) {
            return runGroup(queue);
        }
        List<String> ids = queue.submitAll(batch.specs());
        if (json()) {
            List<Views.Submitted> out = new ArrayList<>(ids.size());
            for (int i = 0; i < ids.size(); i++) {
                TaskSpec s = batch.lines().get(i).spec();
                out.add(new Views.Submitted(ids.get(i), s.type(), s.payload().length, s.idempotencyKey()));
            }
            printJson(out);
        } else {
            StringBuilder text = new StringBuilder(ids.size() * 25);
            ids.forEach(id -> text.append(id).append('\n'));
            out().print(text);
        }
        return CtlException.OK;
    }

    private int runGroup(TaskQueue queue) throws Exception {
        GroupSpec.Builder group = GroupSpec.builder().members(batch.specs()).join(script(joinScript));
        if (onFailureScript != null) {
            group.joinOnlySucceeded(script(onFailureScript));
        }
        GroupSubmission submitted = queue.submitGroup(group.build());
        if (json()) {
            printJson(new Views.GroupSubmitted(submitted.groupId(), submitted.memberIds()));
        } else {
            StringBuilder text = new StringBuilder(submitted.memberIds().size() * 25 + 32);
            text.append(submitted.groupId()).append('\n');
            submitted.memberIds().forEach(id -> text.append(id).append('\n'));
            out().print(text);
        }
        return CtlException.OK;
    }

    /** An exec task running {@code sh -c script}, reading the group's input on stdin. */
    private static TaskSpec script(String script) {
        return TaskSpec.builder(ExecPayload.TYPE)
                .payload(new ExecPayload(List.of("sh", "-c", script), null, null, 0).toJson()).build();
    }
}
