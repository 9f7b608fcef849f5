package io.ha.agent.console;

import static io.ha.agent.console.Html.esc;
import static io.ha.agent.console.Html.orDash;

import io.ha.agent.view.LimitViews;
import io.ha.agent.view.ScheduleViews;
import io.ha.agent.view.Views;
import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.ScheduleInfo;
import java.util.Map;

/**
 * Schedules (trigger, zone, state, policies, last and next fire, the last tick's task) and limits with their usage,
 * read through the same views as {@code ha-ctl schedules} and {@code ha-ctl limits}.
 */
final class SchedulesPage {
    private SchedulesPage() {
    }

    static String schedules(HaCluster c, Viewer viewer) throws Exception {
        long now = System.currentTimeMillis();
        StringBuilder b = new StringBuilder("<h1>Schedules</h1><table id=\"schedules\"><tr><th>name</th>"
                + "<th>trigger</th><th>zone</th><th>state</th><th>misfire</th><th>overlap</th><th>type</th>"
                + "<th>last fire</th><th>next fire</th><th>fired / skipped</th><th></th></tr>");
        int n = 0;
        for (ScheduleInfo info : c.schedules().list()) {
            Views.Schedule s = ScheduleViews.read(c, info);
            n++;
            String hidden = Html.hidden("name", s.name());
            b.append("<tr class=\"schedule\" data-name=\"").append(esc(s.name())).append("\" data-state=\"")
                    .append(esc(s.state())).append("\"><td>").append(esc(s.name())).append("</td><td>")
                    .append(esc(s.trigger())).append("</td><td>").append(orDash(s.zone())).append("</td><td>")
                    .append(esc(s.state())).append("</td><td>").append(s.misfire()).append("</td><td>")
                    .append(s.overlap()).append("</td><td>").append(esc(s.taskType())).append("</td><td>");
            if (s.lastTaskId() != null) {
                b.append("<a href=\"/ui/task/").append(esc(s.lastTaskId())).append("\">")
                        .append(esc(ScheduleViews.lastFireText(s, now))).append("</a>");
            } else {
                b.append('-');
            }
            b.append("</td><td>").append(esc(ScheduleViews.nextFireText(s, now))).append("</td><td>")
                    .append(s.firedTicks()).append(" / ").append(s.skippedTicks()).append("</td><td>")
                    .append(s.enabled()
                            ? Html.form("/ui/action/pause", viewer, hidden, "pause", "pause-" + s.name())
                            : Html.form("/ui/action/resume", viewer, hidden, "resume", "resume-" + s.name()))
                    .append(Html.form("/ui/action/trigger", viewer, hidden, "trigger now", "trigger-" + s.name()))
                    .append("</td></tr>");
        }
        b.append("</table>");
        if (n == 0) {
            b.append("<p id=\"empty\">No schedules. Define one with <code>ha-ctl schedule add</code>.</p>");
        }
        return Html.live("/ui/schedules", b.toString());
    }

    static String limits(HaCluster c) throws Exception {
        StringBuilder b = new StringBuilder("<h1>Limits</h1><table id=\"limits\"><tr><th>type</th><th>running</th>"
                + "<th>per key</th><th>busiest key</th><th>rate</th><th>burst</th></tr>");
        int n = 0;
        for (LimitViews.Limit l : LimitViews.of(c.limits().usage())) {
            n++;
            Map.Entry<String, Integer> busiest = l.busiestKey();
            b.append("<tr><td>").append(esc(l.type())).append("</td><td>").append(l.running()).append(" of ")
                    .append(l.maxRunning() == null ? "no limit" : l.maxRunning()).append("</td><td>")
                    .append(orDash(l.perKey())).append("</td><td>")
                    .append(busiest == null ? "-" : esc(busiest.getKey()) + " (" + busiest.getValue() + ")")
                    .append("</td><td>").append(l.rate() == null ? "-" : LimitViews.rate(l.rate()) + "/s")
                    .append("</td><td>").append(l.rate() == null ? "-" : orDash(l.burst())).append("</td></tr>");
        }
        b.append("</table>");
        if (n == 0) {
            b.append("<p id=\"empty\">No limits. Set one with <code>ha-ctl limit set</code>.</p>");
        }
        return Html.live("/ui/limits", b.toString());
    }
}
