package io.ha.agent.console;

import static io.ha.agent.console.Html.esc;
import static io.ha.agent.console.Html.orDash;

import io.ha.agent.view.ClusterSnapshot;
import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskState;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The overview: cluster, leader and epoch, agents, task counts per state, throughput and the cluster's recent events
 * (this process's and every other agent's, {@link ClusterEvents}). Reads the same {@link ClusterSnapshot} as
 * {@code ha-ctl status}; the counts and the other agents' events come through caches shared by every viewer.
 */
final class OverviewPage {
    private static final int EVENTS_SHOWN = 25;
    /** Kinds whose token is the leader epoch (the others' is a lock's fencing token). */
    private static final Set<String> EPOCH_KINDS = Set.of("ELECTED", "REVOKED", "REASSIGNED");

    private OverviewPage() {
    }

    static String render(HaCluster c, Map<TaskState, Long> counts, Throughput throughput, ClusterEvents events,
                         Viewer viewer) throws Exception {
        ClusterSnapshot s = ClusterSnapshot.read(c, false);
        long now = System.currentTimeMillis();
        StringBuilder b = new StringBuilder();
        b.append("<h1>Cluster <span id=\"cluster\">").append(esc(s.cluster())).append("</span></h1>")
                .append("<p class=\"facts\">Leader: <b id=\"leader\">")
                .append(s.leader() == null ? "none elected" : esc(s.leader())).append("</b> (epoch <span id=\"epoch\">")
                .append(s.epoch()).append("</span>) &middot; ZooKeeper ").append(esc(s.zookeeper())).append(" ")
                .append(esc(s.path())).append(" &middot; <span id=\"agent-count\">").append(s.agents().size())
                .append("</span> agents live, ").append(s.accepting()).append(" accepting</p>");
        b.append("<h2>Tasks</h2><table class=\"counts\" id=\"counts\"><tr>");
        for (TaskState st : TaskState.values()) {
            b.append("<th><a href=\"/ui/tasks?state=").append(st.name()).append("\">").append(st.name())
                    .append("</a></th>");
        }
        b.append("</tr><tr>");
        for (TaskState st : TaskState.values()) {
            b.append("<td id=\"count-").append(st.name()).append("\">").append(counts.getOrDefault(st, 0L))
                    .append("</td>");
        }
        b.append("</tr></table>").append(throughput.svg());
        b.append("<h2>Agents</h2><table id=\"agents\"><tr><th>agent</th><th>role</th><th>state</th><th>host</th>"
                + "<th>capacity</th><th>types</th><th>labels</th><th>version</th><th>up</th><th>status</th>"
                + "<th></th></tr>");
        for (AgentInfo a : s.agents()) {
            boolean leader = a.id().equals(s.leader());
            b.append("<tr class=\"agent\" data-agent=\"").append(esc(a.id())).append("\"><td>").append(esc(a.id()))
                    .append("</td><td>").append(leader ? "<b>leader</b>" : "member").append("</td><td class=\"")
                    .append(Views.Agent.stateOf(a)).append("\">").append(Views.Agent.stateOf(a)).append("</td><td>")
                    .append(esc(a.host())).append(" pid ").append(a.pid()).append("</td><td>").append(a.capacity())
                    .append("</td><td>").append(orDash(Text.list(a.types()))).append("</td><td>")
                    .append(orDash(Text.list(a.labels()))).append("</td><td>").append(orDash(a.version()))
                    .append("</td><td>").append(esc(Text.age(a.startedAt(), now))).append("</td><td>");
            if (a.http() != null && !a.http().isBlank()) {
                b.append("<a href=\"http://").append(esc(a.http())).append("/status\" rel=\"noopener\">/status</a>");
            } else {
                b.append('-');
            }
            b.append("</td><td>").append(a.accepting() ? Html.form("/ui/action/drain", viewer,
                    Html.hidden("agent", a.id()), "drain", "drain-" + a.id()) : "").append("</td></tr>");
        }
        b.append("</table>");
        ClusterEvents.View ev = events.view(c.agentId(), c.timeline().snapshot(), s.agents(), EVENTS_SHOWN);
        b.append("<h2>Recent events <small>(this process and ").append(ev.agentsRead())
                .append(ev.agentsRead() == 1 ? " other agent" : " other agents").append(")</small></h2>");
        if (!ev.unreached().isEmpty()) {
            b.append("<p class=\"error\" id=\"events-unreached\">Events not read from: ");
            String sep = "";
            for (Map.Entry<String, String> u : ev.unreached().entrySet()) {
                b.append(sep).append("<span class=\"unreached\" data-agent=\"").append(esc(u.getKey())).append("\">")
                        .append(esc(u.getKey())).append(" (").append(esc(u.getValue())).append(")</span>");
                sep = ", ";
            }
            b.append("</p>");
        }
        if (!ev.withoutEndpoint().isEmpty()) {
            b.append("<p class=\"facts\" id=\"events-no-endpoint\">Members without an HTTP endpoint (their events "
                    + "are not read): ");
            String sep = "";
            for (String id : ev.withoutEndpoint()) {
                b.append(sep).append("<span data-agent=\"").append(esc(id)).append("\">").append(esc(id))
                        .append("</span>");
                sep = ", ";
            }
            b.append("</p>");
        }
        b.append("<table id=\"events\"><tr><th>time</th><th>agent</th><th>kind</th><th>detail</th></tr>");
        for (ClusterEvents.Row e : ev.rows()) {
            b.append("<tr class=\"event\" data-kind=\"").append(esc(e.kind())).append("\" data-agents=\"")
                    .append(esc(String.join(" ", e.agents()))).append("\"><td>")
                    .append(esc(Text.humanTime(e.timeMs()))).append("</td><td>")
                    .append(esc(String.join(", ", e.agents())))
                    .append("</td><td>").append(esc(e.kind().toLowerCase(Locale.ROOT).replace('_', ' ')))
                    .append("</td><td>").append(esc(e.detail()));
            if (e.token() >= 0) {
                boolean epoch = EPOCH_KINDS.contains(e.kind());
                b.append(" <span class=\"token\">(").append(epoch ? "epoch " : "token ").append(e.token())
                        .append(")</span>");
            }
            b.append("</td></tr>");
        }
        return b.append("</table>").toString();
    }
}
