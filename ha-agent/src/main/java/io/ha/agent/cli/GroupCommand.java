package io.ha.agent.cli;

import io.ha.agent.view.Text;
import io.ha.core.task.GroupMember;
import io.ha.core.task.GroupStatus;
import io.ha.core.task.TaskState;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl group ID}: a fan-in group: its state, its members per state, its join task; with {@code --members}
 * every member too. An unknown id exits 1 naming it.
 */
@Command(name = "group", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show a task group: state, members ended per state and still active, and its join task.",
                "--members lists every member with the state it ended in and the task that ended it."})
final class GroupCommand extends CtlCommand {
    @Parameters(paramLabel = "ID", description = "Group id, as printed when the group was submitted.")
    String id;

    @Option(names = "--members", description = "List every member (always in --json).")
    boolean members;

    /** The JSON form: the status with a readable creation time and every member. */
    record View(String id, String state, int size, Map<TaskState, Integer> ended, int active, String joinId,
                TaskState joinState, boolean onFailure, String createdAt, List<GroupMember> members) {
        static View of(GroupStatus s) {
            return new View(s.id(), s.state().name(), s.size(), s.ended(), s.active(), s.joinId(), s.joinState(),
                    s.onFailure(), Text.jsonTime(s.createdAt()), s.members());
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        GroupStatus status = connection.cluster().taskQueue().group(id);
        if (json()) {
            printJson(View.of(status));
        } else {
            print(out(), status, members, System.currentTimeMillis());
        }
        return CtlException.OK;
    }

    static void print(PrintWriter out, GroupStatus s, boolean withMembers, long now) {
        field(out, "ID", s.id());
        field(out, "State", s.state().name());
        field(out, "Members", String.valueOf(s.size()));
        field(out, "Ended", s.ended().isEmpty() ? "none" : s.ended().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", ")));
        field(out, "Active", String.valueOf(s.active()));
        field(out, s.onFailure() ? "On failure" : "Join", s.joinId() == null ? "- (not created yet)"
                : s.joinId() + " " + Text.orDash(s.joinState()));
        field(out, "Created", Text.humanTimeAndAge(s.createdAt(), now));
        if (withMembers) {
            Table t = new Table("INDEX", "ID", "STATE", "ENDED BY", "ERROR").limit(4, 100);
            for (GroupMember m : s.members()) {
                t.row(m.index(), m.id(), m.state() == null ? "active" : m.state().name(),
                        m.endedBy() == null || m.endedBy().equals(m.id()) ? "-" : m.endedBy(), m.error());
            }
            t.print(out, "");
        }
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println(String.format("%-12s%s", name + ":", Text.oneLine(value)));
    }
}
