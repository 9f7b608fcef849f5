package io.ha.agent.cli;

import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl wait ID}: blocks until the task ends. Exit 0 when it SUCCEEDED; 1 when it ended otherwise (FAILED,
 * DEAD, CANCELLED), did not end in time, or does not exist. The final (or, on timeout, current) state is printed.
 */
@Command(name = "wait", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Wait until a task ends and print its final state.",
                "Exits 0 when it SUCCEEDED, 1 when it FAILED, went DEAD, was CANCELLED or did not end in time."})
final class WaitCommand extends CtlCommand {
    @Parameters(paramLabel = "ID", description = "Task id.")
    String id;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
            description = "Give up after this long (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    protected void validate() {
        if (timeout.isZero()) {
            throw CtlException.usage("--timeout must be positive");
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        TaskRecord r;
        try {
            r = connection.cluster().taskQueue().await(id, timeout);
        } catch (TimeoutException e) {
            TaskRecord current = connection.cluster().taskQueue().get(id).orElse(null);
            if (json() && current != null) {
                printJson(Views.Wait.of(current));
            }
            throw CtlException.failed("task " + id + " did not end within " + Text.duration(timeout)
                    + (current == null ? "" : "; it is " + current.state()
                    + " (attempt " + current.attempt() + "/" + current.lastAttempt() + ")"));
        }
        if (json()) {
            printJson(Views.Wait.of(r));
        } else {
            out().println(summary(r));
        }
        return r.state() == TaskState.SUCCEEDED ? CtlException.OK : CtlException.FAILED;
    }

    private static String summary(TaskRecord r) {
        StringBuilder sb = new StringBuilder("task ").append(r.id()).append(' ').append(r.state())
                .append(" (attempt ").append(r.attempt()).append('/').append(r.lastAttempt());
        if (r.agent() != null) {
            sb.append(", agent ").append(r.agent());
        }
        long started = Views.startMillis(r);
        long ended = Views.endMillis(r);
        if (started > 0 && ended >= started) {
            sb.append(", took ").append(Text.duration(Duration.ofMillis(ended - started)));
        }
        sb.append(')');
        if (r.state() != TaskState.SUCCEEDED && r.state() != TaskState.CANCELLED && r.lastError() != null) {
            sb.append(": ").append(r.lastError());
        }
        return Text.oneLine(sb.toString());
    }
}
