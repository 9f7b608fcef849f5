package io.ha.agent.console;

import io.ha.core.Names;
import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.ScheduleInfo;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.Map;
import java.util.Optional;

/**
 * What a signed-in operator can do, each as {@code ha-ctl} does it and with this process's ZooKeeper identity (so a
 * reader identity's console can change nothing: ZooKeeper answers NoAuth). Each action answers where the browser
 * goes next, with a notice code from {@link #NOTICES}.
 *
 * <p>Guarantee: an action changes at most the one task, agent or schedule it names. Not guaranteed: that the change
 * is done when the page shows (a drain or trigger is a request the agent or leader carries out shortly after).
 */
final class Actions {
    /** Notice codes and their text; the page shows only these, never text from the request. */
    static final Map<String, String> NOTICES = Map.of(
            "cancelled", "Task cancelled.",
            "ended", "The task had already ended: nothing to cancel.",
            "retried", "Task put back to pending for a new attempt.",
            "drain", "Drain requested: the agent stops taking tasks and lets running ones finish.",
            "paused", "Schedule paused.",
            "resumed", "Schedule resumed from its next tick.",
            "triggered", "Fire requested: the leader enqueues the schedule's task within about a second.");

    /** An action the console refuses with {@code status} (404 unknown target, 409 wrong state, 400 bad input). */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private Actions() {
    }

    /** Runs action {@code name}; returns the location to redirect to. */
    static String run(HaCluster c, String name, Request r) throws Exception {
        return switch (name) {
            case "cancel" -> {
                TaskRecord t = task(c, r);
                boolean cancelled = c.taskQueue().cancel(t.id());
                yield "/ui/task/" + t.id() + "?done=" + (cancelled ? "cancelled" : "ended");
            }
            case "retry" -> {
                TaskRecord t = task(c, r);
                if (t.state() != TaskState.DEAD && t.state() != TaskState.FAILED) {
                    throw new Refused(409, "task " + t.id() + " is " + t.state() + ": only DEAD or FAILED tasks "
                            + "are retried");
                }
                c.taskQueue().retry(t.id());
                yield "/ui/task/" + t.id() + "?done=retried";
            }
            case "drain" -> {
                String agent = checked("agent", r.param("agent"));
                if (c.membership().get(agent).isEmpty()) {
                    throw new Refused(404, "no live agent '" + agent + "'");
                }
                c.agentControl().request(agent, "drain");
                yield "/ui/?done=drain";
            }
            case "pause", "resume", "trigger" -> {
                ScheduleInfo s = schedule(c, r);
                String n = s.record().name();
                switch (name) {
                    case "pause" -> c.schedules().pause(n);
                    case "resume" -> c.schedules().resume(n);
                    default -> c.schedules().triggerNow(n);
                }
                yield "/ui/schedules?done=" + (name.equals("pause") ? "paused" : name.equals("resume") ? "resumed"
                        : "triggered");
            }
            default -> throw new Refused(404, "no action '" + name + "'");
        };
    }

    private static TaskRecord task(HaCluster c, Request r) throws Exception {
        String id = r.param("id");
        if (id == null) {
            throw new Refused(400, "parameter 'id' is missing");
        }
        Optional<TaskRecord> t = c.taskQueue().get(id);
        return t.orElseThrow(() -> new Refused(404, "no task with id '" + id + "'"));
    }

    private static ScheduleInfo schedule(HaCluster c, Request r) throws Exception {
        String name = checked("name", r.param("name"));
        return c.schedules().get(name).orElseThrow(() -> new Refused(404, "no schedule named '" + name + "'"));
    }

    private static String checked(String param, String value) {
        if (value == null) {
            throw new Refused(400, "parameter '" + param + "' is missing");
        }
        try {
            return Names.validate(param, value);
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "parameter '" + param + "': " + e.getMessage());
        }
    }
}
