package io.ha.agent.cli;

import io.ha.agent.view.Views;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl cancel ID}: a pending task never runs, a running one is interrupted. Exit 0 when the task is
 * cancelled (also when it already was), 1 when it had ended otherwise or does not exist.
 */
@Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Cancel a task that has not ended. Exits 1 when it already ended in another state.")
final class CancelCommand extends CtlCommand {
    @Parameters(paramLabel = "ID", description = "Task id.")
    String id;

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        TaskQueue queue = connection.cluster().taskQueue();
        boolean cancelled = queue.cancel(id);
        TaskState state = cancelled ? TaskState.CANCELLED
                : queue.get(id).map(TaskRecord::state).orElse(TaskState.CANCELLED);
        if (json()) {
            printJson(new Views.Cancel(id, cancelled, state));
        }
        if (cancelled) {
            if (!json()) {
                out().println("task " + id + " cancelled");
            }
            return CtlException.OK;
        }
        if (state == TaskState.CANCELLED) {
            if (!json()) {
                out().println("task " + id + " was already cancelled");
            }
            return CtlException.OK;
        }
        warn("task " + id + " already ended " + state + "; nothing to cancel");
        return CtlException.FAILED;
    }
}
