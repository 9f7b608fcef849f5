package io.ha.agent.cli;

import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ha-ctl tasks}: tasks in one state (pending ones in dispatch order, others newest first), or the newest of
 * all states.
 */
@Command(name = "tasks", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List tasks: pending ones in dispatch order, others newest first.")
final class TasksCommand extends CtlCommand {
    static final int MAX_LIMIT = 10_000;

    @Option(names = {"-s", "--state"}, paramLabel = "STATE", converter = StateConverter.class,
            description = "Only tasks in this state: PENDING, ASSIGNED, RUNNING, SUCCEEDED, FAILED, DEAD or "
                    + "CANCELLED (default: all).")
    TaskState state;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "50",
            description = "Show at most N tasks (1-" + MAX_LIMIT + ", default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    protected void validate() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw CtlException.usage("--limit must be in 1-" + MAX_LIMIT + ", got " + limit);
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        TaskQueue queue = connection.cluster().taskQueue();
        List<TaskRecord> tasks;
        if (state != null) {
            tasks = queue.list(state, limit);
        } else {
            List<TaskRecord> all = new ArrayList<>();
            for (TaskState s : TaskState.values()) {
                all.addAll(queue.list(s, limit));
            }
            // Ids begin with the creation time in hex, so id order is age order.
            tasks = all.stream().sorted(Comparator.comparing(TaskRecord::id).reversed()).limit(limit).toList();
        }
        if (json()) {
            printJson(tasks.stream().map(Views.TaskRow::of).toList());
            return CtlException.OK;
        }
        if (tasks.isEmpty()) {
            warn("no " + (state == null ? "" : state + " ") + "tasks in " + connection.describe());
            return CtlException.OK;
        }
        long now = System.currentTimeMillis();
        Table t = new Table("ID", "TYPE", "STATE", "ATTEMPT", "PRIORITY", "AGENT", "AGE", "LAST ERROR").limit(7, 60);
        for (TaskRecord r : tasks) {
            t.row(r.id(), r.type(), r.state(), r.attempt() + "/" + r.lastAttempt(), r.priority(), r.agent(),
                    Text.age(r.createdAt(), now), r.lastError());
        }
        t.print(out());
        return CtlException.OK;
    }

    /** Case-insensitive state names; the error lists the allowed ones. */
    static final class StateConverter implements CommandLine.ITypeConverter<TaskState> {
        @Override
        public TaskState convert(String value) {
            try {
                return TaskState.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("unknown task state '" + Text.oneLine(value)
                        + "'; expected one of " + Arrays.stream(TaskState.values()).map(Enum::name)
                        .collect(Collectors.joining(", ")));
            }
        }
    }
}
