package io.ha.agent.cli;

import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskProgress;
import io.ha.core.task.TaskRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl task ID}: one task in full, with its history, and its place in a pipeline: the parent whose outcome
 * created it (with that outcome as its input) and the follow-ups its own outcome created.
 */
@Command(name = "task", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show one task: state, attempts, agent, times, last error, payload, result and history.",
                "For a pipeline step also its parent, its input (the parent's result) and its children."})
final class TaskCommand extends CtlCommand {
    /** Text longer than this is cut in the human view (--json always has all of it). */
    private static final int SHOW_CHARS = 4096;

    @Parameters(paramLabel = "ID", description = "Task id, as printed by submit.")
    String id;

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        TaskRecord r = connection.cluster().taskQueue().get(id)
                .orElseThrow(() -> CtlException.failed("no task with id '" + Text.oneLine(id) + "' in "
                        + connection.describe()));
        TaskProgress progress = connection.cluster().taskQueue().progress(id).orElse(null);
        if (json()) {
            printJson(Views.Task.of(r, progress));
        } else {
            print(out(), r, progress, System.currentTimeMillis());
        }
        return CtlException.OK;
    }

    static void print(PrintWriter out, TaskRecord r, TaskProgress progress, long now) {
        long started = Views.startMillis(r);
        long ended = Views.endMillis(r);
        field(out, "ID", r.id());
        field(out, "Type", r.type());
        field(out, "State", r.state().name());
        field(out, "Attempt", r.attempt() + "/" + r.lastAttempt());
        field(out, "Priority", String.valueOf(r.priority()));
        field(out, "Agent", Text.orDash(r.agent()) + (r.epoch() > 0 ? " (leader epoch " + r.epoch() + ")" : ""));
        field(out, "Labels", Text.list(r.labels()));
        field(out, "Key", Text.orDash(r.idempotencyKey()));
        if (r.timeoutMs() > 0) {
            field(out, "Timeout", Text.duration(Duration.ofMillis(r.timeoutMs())));
        }
        if (r.concurrencyKey() != null) {
            field(out, "Conc. key", r.concurrencyKey());
        }
        if (r.groupId() != null) {
            field(out, "Group", r.groupId() + (r.groupIndex() < 0 ? " (its join)" : " (member " + r.groupIndex() + ")"));
        }
        field(out, "Created", Text.humanTimeAndAge(r.createdAt(), now));
        if (r.notBefore() > 0) {
            field(out, "Not before", Text.humanTimeAndAge(r.notBefore(), now));
        }
        field(out, "Started", Text.humanTimeAndAge(started, now));
        String took = started > 0 && ended >= started ? " (took " + Text.duration(Duration.ofMillis(ended - started))
                + ")" : "";
        field(out, "Ended", (ended > 0 ? Text.humanTime(ended) : "-") + took);
        if (progress != null) {
            field(out, "Progress", progress.percent() + "%"
                    + (progress.message() == null ? "" : " " + Text.oneLine(progress.message())));
        }
        field(out, "Last error", Text.orDash(r.lastError() == null ? null : Text.oneLine(r.lastError())));
        field(out, "Parent", Text.orDash(r.parentId()));
        field(out, "Children", r.children().isEmpty() ? "-" : String.join(",", r.children()));
        if (!r.onSuccess().isEmpty() || !r.onFailure().isEmpty()) {
            field(out, "Follow-ups", r.onSuccess().size() + " on success ("
                    + Text.list(r.onSuccess().stream().map(t -> t.type()).collect(Collectors.toSet())) + "), "
                    + r.onFailure().size() + " on failure");
        }
        blob(out, "Payload", Views.shownPayload(r.type(), r.payload()));
        if (r.parentId() != null) {
            blob(out, "Input", r.input());
        }
        blob(out, "Result", r.result());
        out.println("History:");
        Table h = new Table("TIME", "STATE", "ATTEMPT", "AGENT", "DETAIL").limit(4, 100);
        for (TaskEvent e : r.history()) {
            h.row(Text.humanTime(e.at()), e.state(), e.attempt(), e.agent(), e.detail());
        }
        h.print(out, "  ");
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println(String.format("%-12s%s", name + ":", Text.oneLine(value)));
    }

    /** Printable bytes as indented text (cut when long), anything else by size only. */
    private static void blob(PrintWriter out, String name, byte[] data) {
        if (data == null) {
            field(out, name, "-");
            return;
        }
        String text = Text.printable(data).orElse(null);
        if (text == null) {
            field(out, name, data.length + " bytes (binary; --json shows them as base64)");
            return;
        }
        field(out, name, data.length + " bytes");
        if (text.isEmpty()) {
            return;
        }
        String shown = text.length() > SHOW_CHARS ? text.substring(0, SHOW_CHARS) : text;
        // A final line break ends the last line; it does not start an empty one.
        String body = shown.replaceFirst("\r?\n$", "");
        for (String line : body.split("\r?\n", -1)) {
            out.println("  " + Text.clean(line));
        }
        if (shown.length() < text.length()) {
            out.println("  ... (" + (text.length() - SHOW_CHARS) + " more characters; --json shows all)");
        }
    }
}
