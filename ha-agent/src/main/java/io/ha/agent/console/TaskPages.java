package io.ha.agent.console;

import static io.ha.agent.console.Html.esc;
import static io.ha.agent.console.Html.orDash;
import static io.ha.agent.console.Html.url;

import io.ha.agent.view.Text;
import io.ha.core.Names;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskPage;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The task list: filtered by state and type, searched by id or idempotency key, paged with the store's cursor
 * ({@link TaskQueue#page}: a bounded read per page, so it stays fast with a million tasks queued, in the bucket
 * order that paging has rather than one global order).
 */
final class TaskPages {
    /** Rows per page by default and at most. */
    static final int DEFAULT_SIZE = 50;
    static final int MAX_SIZE = 500;

    private TaskPages() {
    }

    /** The parsed filter of a task list request; {@link Request.BadRequest} names a malformed parameter. */
    record Filter(TaskState state, String type, String query, String after, int size) {
        static Filter of(Request r) {
            String state = r.param("state");
            TaskState s = null;
            if (state != null) {
                try {
                    s = TaskState.valueOf(state.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new Request.BadRequest("parameter 'state': unknown task state '" + state
                            + "'; expected one of " + Arrays.stream(TaskState.values()).map(Enum::name)
                            .collect(Collectors.joining(", ")));
                }
            }
            String type = r.param("type");
            if (type != null) {
                try {
                    Names.validate("task type", type);
                } catch (IllegalArgumentException e) {
                    throw new Request.BadRequest("parameter 'type': " + e.getMessage());
                }
            }
            String query = r.param("q");
            if (query != null && query.length() > 512) {
                throw new Request.BadRequest("parameter 'q': at most 512 characters");
            }
            return new Filter(s, type, query, r.param("after"),
                    r.intParam("size", DEFAULT_SIZE, 1, MAX_SIZE));
        }

        String link(String after) {
            StringBuilder b = new StringBuilder("/ui/tasks?size=").append(size);
            if (state != null) {
                b.append("&state=").append(state.name());
            }
            if (type != null) {
                b.append("&type=").append(url(type));
            }
            if (query != null) {
                b.append("&q=").append(url(query));
            }
            if (after != null) {
                b.append("&after=").append(url(after));
            }
            return b.toString();
        }
    }

    static String list(HaCluster c, Filter f) throws Exception {
        TaskQueue queue = c.taskQueue();
        List<TaskRecord> rows;
        String next = null;
        if (f.query() != null) {
            Optional<TaskRecord> byId = queue.get(f.query());
            rows = (byId.isPresent() ? byId : queue.findByKey(f.query())).stream().toList();
        } else {
            TaskPage page;
            try {
                page = queue.page(f.state(), f.type(), f.after(), f.size());
            } catch (IllegalArgumentException e) {
                throw new Request.BadRequest("parameter 'after': " + e.getMessage());
            }
            rows = page.tasks();
            next = page.next();
        }
        StringBuilder b = new StringBuilder("<h1>Tasks</h1>").append(filterForm(f));
        StringBuilder live = new StringBuilder("<table id=\"tasks\"><tr><th>id</th><th>type</th><th>state</th>"
                + "<th>attempt</th><th>priority</th><th>agent</th><th>age</th><th>last error</th></tr>");
        long now = System.currentTimeMillis();
        for (TaskRecord r : rows) {
            live.append("<tr class=\"task\" data-id=\"").append(esc(r.id())).append("\" data-state=\"")
                    .append(r.state()).append("\" data-agent=\"").append(esc(r.agent())).append("\"><td><a href=\"/ui/task/")
                    .append(esc(r.id())).append("\">").append(esc(r.id())).append("</a></td><td>").append(esc(r.type()))
                    .append("</td><td class=\"st-").append(r.state()).append("\">").append(r.state())
                    .append("</td><td>").append(r.attempt()).append('/').append(r.lastAttempt()).append("</td><td>")
                    .append(r.priority()).append("</td><td>").append(orDash(r.agent())).append("</td><td>")
                    .append(esc(Text.age(r.createdAt(), now))).append("</td><td>")
                    .append(orDash(cap(r.lastError(), 160))).append("</td></tr>");
        }
        live.append("</table>");
        if (rows.isEmpty()) {
            live.append("<p id=\"empty\">").append(f.query() != null ? "No task has this id or idempotency key."
                    : next == null ? "No tasks." : "No tasks in this part of the store; there are more parts.")
                    .append("</p>");
        }
        live.append("<p class=\"pager\">");
        if (f.after() != null) {
            live.append("<a href=\"").append(esc(f.link(null))).append("\" id=\"first\">first page</a> ");
        }
        if (next != null) {
            live.append("<a href=\"").append(esc(f.link(next))).append("\" id=\"next\">next page</a>");
        }
        live.append("</p>");
        return b.append(Html.live(f.link(f.after()), live.toString())).toString();
    }

    private static String filterForm(Filter f) {
        StringBuilder b = new StringBuilder("<form method=\"get\" action=\"/ui/tasks\" class=\"filter\" id=\"filter\">"
                + "<label>state <select name=\"state\" id=\"f-state\"><option value=\"\">all</option>");
        for (TaskState s : TaskState.values()) {
            b.append("<option").append(s == f.state() ? " selected" : "").append('>').append(s.name())
                    .append("</option>");
        }
        return b.append("</select></label> <label>type <input name=\"type\" id=\"f-type\" value=\"")
                .append(esc(f.type())).append("\" size=\"12\"></label> <label>id or key <input name=\"q\" id=\"f-q\" "
                        + "value=\"").append(esc(f.query())).append("\" size=\"28\"></label> <label>rows <input name=\"size\" "
                        + "id=\"f-size\" value=\"").append(f.size()).append("\" size=\"4\"></label> "
                        + "<button type=\"submit\" id=\"f-go\">show</button></form>").toString();
    }

    static String cap(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
