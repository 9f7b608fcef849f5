package io.ha.agent.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl retry ID} or {@code ha-ctl retry --state DEAD [--type T] [--limit N]}: puts DEAD or FAILED tasks back
 * to pending with fresh attempts (their history kept) and prints each task retried. Exit 1 when the task cannot be
 * retried (another state, a group member) or does not exist; 0 for {@code --state} even when none matched.
 */
@Command(name = "retry", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Put a DEAD or FAILED task (or many, with --state) back to pending with fresh attempts.",
        footerHeading = "%nExamples:%n",
        footer = {"  ha-ctl retry 18f3a2b4c5d-0123456789ab",
                "  ha-ctl retry --state DEAD --type resize --limit 100"})
final class RetryCommand extends CtlCommand {
    /** What {@code --json} prints per task retried. */
    @JsonPropertyOrder({"id", "type", "state", "attempt", "maxAttempts", "lastError"})
    record Retried(String id, String type, TaskState state, int attempt, int maxAttempts, String lastError) {
        static Retried of(TaskRecord r) {
            return new Retried(r.id(), r.type(), r.state(), r.attempt(), r.maxAttempts(), r.lastError());
        }
    }

    @Parameters(paramLabel = "ID", arity = "0..1", description = "Task id.")
    String id;

    @Option(names = "--state", paramLabel = "STATE", description = "Retry tasks in this state: DEAD or FAILED.")
    TaskState state;

    @Option(names = "--type", paramLabel = "TYPE", description = "With --state: only tasks of this type.")
    String type;

    @Option(names = "--limit", paramLabel = "N", description = "With --state: at most N tasks, newest first "
            + "(1-10000, default 1000).")
    Integer limit;

    @Override
    protected void validate() {
        if ((id == null) == (state == null)) {
            throw CtlException.usage("give either a task ID or --state DEAD|FAILED");
        }
        if (id != null && (type != null || limit != null)) {
            throw CtlException.usage("--type and --limit apply only with --state");
        }
        if (state != null && state != TaskState.DEAD && state != TaskState.FAILED) {
            throw CtlException.usage("only DEAD or FAILED tasks can be retried, not " + state);
        }
        if (limit != null && (limit < 1 || limit > 10_000)) {
            throw CtlException.usage("--limit must be in 1-10000, got " + limit);
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        TaskQueue queue = connection.cluster().taskQueue();
        List<TaskRecord> retried = id != null ? List.of(queue.retry(id))
                : queue.retryAll(state, type, limit == null ? 1000 : limit);
        if (json()) {
            printJson(retried.stream().map(Retried::of).toList());
            return CtlException.OK;
        }
        for (TaskRecord r : retried) {
            out().println("task " + r.id() + " (" + r.type() + ") retried: PENDING with " + r.maxAttempts()
                    + " fresh attempt(s)");
        }
        if (id == null) {
            out().println(retried.size() + " task(s) retried");
        }
        return CtlException.OK;
    }
}
