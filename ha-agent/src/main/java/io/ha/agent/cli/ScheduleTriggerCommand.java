package io.ha.agent.cli;

import io.ha.agent.view.Text;
import io.ha.core.schedule.ScheduleInfo;
import io.ha.core.schedule.Schedules;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ha-ctl schedule trigger-now NAME}: asks the leader to fire the schedule once now, in addition to its ticks
 * (also when paused), and waits until it has enqueued the task, whose id it prints. Requests made before the leader
 * fired the previous one are merged into it.
 */
@Command(name = "trigger-now", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fire a schedule once now, in addition to its ticks (also when paused), and print the id "
                + "of the task it enqueued.",
                "The leader fires it within about a second; the request stays queued when no leader is elected."})
final class ScheduleTriggerCommand extends ScheduleNameCommand {
    private static final long POLL_MS = 50;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long to wait for the leader to enqueue the task (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--no-wait", description = "Only request the fire; do not wait for the task.")
    boolean noWait;

    @Override
    protected void validate() {
        super.validate();
        if (timeout.isZero()) {
            throw CtlException.usage("--timeout must be positive");
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        Schedules schedules = connection.cluster().schedules();
        existing(connection);
        schedules.triggerNow(name);
        if (noWait) {
            return report(connection, "triggered", null, "schedule " + name + ": fire requested");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<ScheduleInfo> info = schedules.get(name);
            if (info.isEmpty()) {
                throw CtlException.failed("schedule '" + name + "' was removed before the leader fired it");
            }
            // The leader clears the request in the same write that records the task it enqueued.
            if (info.get().record().triggerRequestedAt() == 0) {
                String taskId = info.get().record().lastTaskId();
                return report(connection, "triggered", taskId, taskId);
            }
            if (System.nanoTime() >= deadline) {
                throw CtlException.failed("the leader did not fire schedule '" + name + "' within "
                        + Text.duration(timeout) + "; the request stays queued (is a leader elected? see "
                        + "'ha-ctl leader')");
            }
            Thread.sleep(POLL_MS);
        }
    }
}
