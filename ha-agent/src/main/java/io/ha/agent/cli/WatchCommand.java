package io.ha.agent.cli;

import io.ha.agent.view.ClusterSnapshot;
import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ha-ctl watch}: a live view of the cluster (leader, agents with their running tasks, task counts, the tasks
 * running now), redrawn in place every interval until Ctrl-C. {@code --once} prints one frame without terminal
 * control codes; {@code --json} prints one compact JSON document per frame and line.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Live view of the cluster, refreshed until Ctrl-C.",
                "With --json, one JSON document per line and interval."})
final class WatchCommand extends CtlCommand {
    private static final String HOME = "\033[H";
    private static final String CLEAR_SCREEN = "\033[2J";
    private static final String CLEAR_LINE_END = "\033[K";
    private static final String CLEAR_BELOW = "\033[J";
    private static final Duration MIN_INTERVAL = Duration.ofMillis(100);

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", defaultValue = "1s",
            description = "Time between refreshes (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--once", description = "Print one frame (no screen control codes) and exit.")
    boolean once;

    @Option(names = "--tasks", paramLabel = "N", defaultValue = "10",
            description = "Show at most N running tasks (default ${DEFAULT-VALUE}).")
    int maxTasks;

    @Override
    protected void validate() {
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw CtlException.usage("--interval must be at least " + Text.duration(MIN_INTERVAL));
        }
        if (maxTasks < 0 || maxTasks > TasksCommand.MAX_LIMIT) {
            throw CtlException.usage("--tasks must be in 0-" + TasksCommand.MAX_LIMIT + ", got " + maxTasks);
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        PrintWriter out = out();
        boolean first = true;
        while (true) {
            long now = System.currentTimeMillis();
            List<String> lines;
            String json = null;
            try {
                ClusterSnapshot snapshot = ClusterSnapshot.read(connection.cluster(), true);
                List<TaskRecord> running = connection.cluster().taskQueue().list(TaskState.RUNNING,
                        TasksCommand.MAX_LIMIT);
                if (json()) {
                    json = Json.line(new Views.Frame(Text.jsonTime(now), snapshot.toView(),
                            running.stream().limit(maxTasks).map(Views.TaskRow::of).toList()));
                }
                lines = frame(snapshot, running, now);
            } catch (Exception e) {
                if (once) {
                    throw e;
                }
                // A live view outlasts a ZooKeeper hiccup: say so in the frame and try again next interval.
                lines = List.of(header(now), "", "Cluster:  " + connection.describe(),
                        "cannot read the cluster state: " + Text.oneLine(String.valueOf(e.getMessage()))
                        + " (retrying every " + Text.duration(interval) + ")");
            }
            if (json()) {
                if (json != null) {
                    out.println(json);
                }
            } else if (once) {
                lines.forEach(out::println);
            } else {
                StringBuilder sb = new StringBuilder(first ? HOME + CLEAR_SCREEN : HOME);
                for (String line : lines) {
                    sb.append(line).append(CLEAR_LINE_END).append('\n');
                }
                out.print(sb.append(CLEAR_BELOW));
            }
            out.flush();
            first = false;
            if (once) {
                return CtlException.OK;
            }
            Thread.sleep(interval.toMillis());
        }
    }

    private String header(long now) {
        return "Every " + Text.duration(interval) + ": ha-ctl watch   " + Text.humanTime(now)
                + (once ? "" : "   (Ctrl-C quits)");
    }

    private List<String> frame(ClusterSnapshot s, List<TaskRecord> running, long now) {
        List<String> lines = new ArrayList<>();
        lines.add(header(now));
        lines.add("");
        lines.addAll(s.summary());
        Map<String, Integer> busy = new TreeMap<>();
        running.forEach(r -> busy.merge(r.agent() == null ? "-" : r.agent(), 1, Integer::sum));
        if (!s.agents().isEmpty()) {
            lines.add("");
            lines.addAll(SnapshotTables.agentTable(s, now, busy).lines());
        }
        lines.add("");
        lines.addAll(SnapshotTables.countTable(s).lines());
        if (maxTasks > 0 && !running.isEmpty()) {
            lines.add("");
            lines.add("Running tasks" + (running.size() > maxTasks ? " (" + maxTasks + " of " + running.size() + ")"
                    : "") + ":");
            Table t = new Table("ID", "TYPE", "AGENT", "ATTEMPT", "RUNNING FOR");
            for (TaskRecord r : running.subList(0, Math.min(maxTasks, running.size()))) {
                long started = Views.startMillis(r);
                t.row(r.id(), r.type(), r.agent(), r.attempt() + "/" + r.lastAttempt(), Text.age(started, now));
            }
            t.lines().forEach(l -> lines.add("  " + l));
        }
        return lines;
    }
}
