package io.ha.agent.console;

import static io.ha.agent.console.Html.esc;
import static io.ha.agent.console.Html.orDash;

import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
import io.ha.core.NoSuchGroupException;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.GroupMember;
import io.ha.core.task.GroupStatus;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.Optional;

/**
 * One task in full, and one group: read through {@link Views.Task} as {@code ha-ctl task} reads it, so an exec
 * task's environment values are masked here as there ({@link Views#shownPayload}). Payload, input and result
 * previews are capped at {@link #PREVIEW_CHARS} characters; bytes that are not text are shown as their size only.
 */
final class TaskDetailPage {
    static final int PREVIEW_CHARS = 4096;

    private TaskDetailPage() {
    }

    /** The page, or empty when no task has this id. */
    static Optional<String> task(HaCluster c, String id, Viewer viewer) throws Exception {
        Optional<TaskRecord> found = c.taskQueue().get(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        TaskRecord r = found.get();
        Views.Task t = Views.Task.of(r, c.taskQueue().progress(id).orElse(null));
        StringBuilder b = new StringBuilder("<h1>Task <span id=\"task-id\">").append(esc(t.id())).append("</span></h1>");
        b.append("<p class=\"actions\">");
        if (!r.state().isTerminal()) {
            b.append(Html.form("/ui/action/cancel", viewer, Html.hidden("id", r.id()), "cancel task", "cancel"));
        }
        if ((r.state() == TaskState.DEAD || r.state() == TaskState.FAILED) && r.groupId() == null) {
            b.append(Html.form("/ui/action/retry", viewer, Html.hidden("id", r.id()), "retry task", "retry"));
        }
        b.append("</p><table class=\"fields\" id=\"fields\">");
        row(b, "state", "<b id=\"state\" class=\"st-" + t.state() + "\">" + t.state() + "</b>");
        row(b, "type", esc(t.type()));
        row(b, "attempt", t.attempt() + " of " + r.lastAttempt() + " (max " + t.maxAttempts() + " per budget)");
        row(b, "agent", "<span id=\"agent\">" + orDash(t.agent()) + "</span>");
        row(b, "priority", Integer.toString(t.priority()));
        row(b, "idempotency key", orDash(t.idempotencyKey()));
        row(b, "labels", orDash(String.join(", ", t.labels())));
        row(b, "created", orDash(t.createdAt()));
        row(b, "not before", orDash(t.notBefore()));
        row(b, "started", orDash(t.startedAt()));
        row(b, "ended", orDash(t.endedAt()));
        row(b, "timeout", t.timeoutMs() > 0 ? esc(Text.duration(java.time.Duration.ofMillis(t.timeoutMs()))) : "-");
        row(b, "concurrency key", orDash(t.concurrencyKey()));
        row(b, "last error", "<span id=\"last-error\">" + orDash(t.lastError()) + "</span>");
        if (t.progress() != null) {
            row(b, "progress", t.progress().percent() + "% " + orDash(t.progress().message()));
        }
        row(b, "parent", t.parentId() == null ? "-" : link(t.parentId()));
        StringBuilder kids = new StringBuilder();
        for (String child : t.children()) {
            kids.append(link(child)).append(' ');
        }
        row(b, "children", t.children().isEmpty() ? "-" : kids.toString());
        row(b, "follow-ups declared", t.onSuccess() + " on success, " + t.onFailure() + " on failure");
        row(b, "group", t.groupId() == null ? "-" : "<a href=\"/ui/group/" + esc(t.groupId()) + "\">"
                + esc(t.groupId()) + "</a> member " + t.groupIndex());
        row(b, "payload", blob(t.payload(), "payload"));
        row(b, "input", blob(t.input(), "input"));
        row(b, "result", blob(t.result(), "result"));
        b.append("</table><h2>History</h2><ol class=\"timeline\" id=\"history\">");
        for (Views.Event e : t.history()) {
            b.append("<li><time>").append(esc(e.at())).append("</time> <b class=\"st-").append(e.state()).append("\">")
                    .append(e.state()).append("</b> attempt ").append(e.attempt()).append(e.agent() == null ? ""
                            : " on " + esc(e.agent())).append(e.detail() == null ? "" : ": " + esc(e.detail()))
                    .append("</li>");
        }
        b.append("</ol>");
        return Optional.of(Html.live("/ui/task/" + r.id(), b.toString()));
    }

    /** The group page, or empty when no group has this id. */
    static Optional<String> group(HaCluster c, String id) throws Exception {
        GroupStatus g;
        try {
            g = c.taskQueue().group(id);
        } catch (NoSuchGroupException | IllegalArgumentException e) {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder("<h1>Group ").append(esc(g.id())).append("</h1><p>")
                .append(esc(g.state())).append(", ").append(g.size()).append(" members, ").append(g.active())
                .append(" not ended; ended: ").append(esc(g.ended())).append("; join: ")
                .append(g.joinId() == null ? "not created yet" : link(g.joinId()) + " " + orDash(g.joinState()))
                .append("</p><table id=\"members\"><tr><th>#</th><th>task</th><th>state</th><th>error</th></tr>");
        for (GroupMember m : g.members()) {
            b.append("<tr><td>").append(m.index()).append("</td><td>").append(link(m.id())).append("</td><td>")
                    .append(orDash(m.state())).append("</td><td>").append(orDash(TaskPages.cap(m.error(), 160)))
                    .append("</td></tr>");
        }
        return Optional.of(Html.live("/ui/group/" + g.id(), b.append("</table>").toString()));
    }

    private static String link(String taskId) {
        return "<a href=\"/ui/task/" + esc(taskId) + "\">" + esc(taskId) + "</a>";
    }

    private static void row(StringBuilder b, String name, String html) {
        b.append("<tr><th>").append(name).append("</th><td>").append(html).append("</td></tr>");
    }

    private static String blob(Views.Blob blob, String id) {
        if (blob == null) {
            return "-";
        }
        if (blob.text() == null) {
            return "<span id=\"" + id + "\">" + blob.bytes() + " bytes, binary (not shown)</span>";
        }
        String text = blob.text();
        String note = text.length() > PREVIEW_CHARS ? "<br><small>first " + PREVIEW_CHARS + " characters of "
                + blob.bytes() + " bytes</small>" : "<br><small>" + blob.bytes() + " bytes</small>";
        return "<pre id=\"" + id + "\">" + esc(TaskPages.cap(text, PREVIEW_CHARS)) + "</pre>" + note;
    }
}
