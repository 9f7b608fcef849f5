package io.ha.agent.view;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.ha.agent.exec.ExecPayload;
import io.ha.core.membership.AgentInfo;
import io.ha.core.schedule.MisfirePolicy;
import io.ha.core.schedule.OverlapPolicy;
import io.ha.core.schedule.ScheduleInfo;
import io.ha.core.schedule.ScheduleRecord;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskProgress;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What ha-ctl prints with {@code --json}: its own records, decoupled from the stored formats so that the output keeps
 * its shape when ha-core's records change. Every field is always present (null when unknown), times are ISO-8601 UTC
 * strings with milliseconds, byte contents are {@link Blob}s.
 */
public final class Views {
    private Views() {
    }

    /**
     * One live agent. {@code state} is {@code accepting}, {@code draining} (handlers, not accepting) or {@code idle}
     * (no handlers registered).
     */
    @JsonPropertyOrder({"id", "leader", "host", "pid", "state", "accepting", "capacity", "types", "labels", "version",
            "http", "startedAt"})
    public record Agent(String id, boolean leader, String host, long pid, String state, boolean accepting, int capacity,
                 List<String> types, List<String> labels, String version, String http, String startedAt) {
        public static Agent of(AgentInfo a, String leaderId) {
            return new Agent(a.id(), a.id().equals(leaderId), a.host(), a.pid(), stateOf(a), a.accepting(),
                    a.capacity(), Text.sorted(a.types()), Text.sorted(a.labels()), a.version(), a.http(),
                    Text.jsonTime(a.startedAt()));
        }

        public static String stateOf(AgentInfo a) {
            if (a.accepting()) {
                return "accepting";
            }
            return a.types().isEmpty() ? "idle" : "draining";
        }
    }

    @JsonPropertyOrder({"leader", "epoch", "host", "pid"})
    public record Leader(String leader, long epoch, String host, Long pid) {
    }

    @JsonPropertyOrder({"cluster", "path", "zookeeper", "leader", "epoch", "agentsLive", "agentsAccepting", "tasks",
            "agents"})
    public record Status(String cluster, String path, String zookeeper, String leader, long epoch, int agentsLive,
                  int agentsAccepting, Map<String, Long> tasks, List<Agent> agents) {
    }

    /** Bytes: {@code text} when printable UTF-8, else {@code base64}; {@code bytes} is the size either way. */
    @JsonPropertyOrder({"bytes", "text", "base64"})
    public record Blob(int bytes, String text, String base64) {
        public static Blob of(byte[] data) {
            if (data == null) {
                return null;
            }
            return Text.printable(data).map(t -> new Blob(data.length, t, null))
                    .orElseGet(() -> new Blob(data.length, null, Base64.getEncoder().encodeToString(data)));
        }
    }

    @JsonPropertyOrder({"at", "state", "attempt", "agent", "detail"})
    public record Event(String at, TaskState state, int attempt, String agent, String detail) {
        public static Event of(TaskEvent e) {
            return new Event(Text.jsonTime(e.at()), e.state(), e.attempt(), e.agent(), e.detail());
        }
    }

    /** A task in a listing. */
    @JsonPropertyOrder({"id", "type", "state", "attempt", "maxAttempts", "priority", "agent", "createdAt",
            "lastError", "payloadBytes"})
    public record TaskRow(String id, String type, TaskState state, int attempt, int maxAttempts, int priority, String agent,
                   String createdAt, String lastError, int payloadBytes) {
        public static TaskRow of(TaskRecord r) {
            return new TaskRow(r.id(), r.type(), r.state(), r.attempt(), r.maxAttempts(), r.priority(), r.agent(),
                    Text.jsonTime(r.createdAt()), r.lastError(), r.payload().length);
        }
    }

    /**
     * One task in full. {@code startedAt} is the start of the latest attempt, {@code endedAt} set once terminal.
     * {@code parentId} and {@code input} are set for a follow-up task (the task whose outcome created it, and that
     * outcome's result or error); {@code children} lists the follow-ups this task's outcome created; {@code onSuccess}
     * and {@code onFailure} count the follow-ups it declares for either outcome (direct ones, not their own).
     */
    @JsonPropertyOrder({"id", "type", "state", "attempt", "maxAttempts", "priority", "agent", "epoch",
            "idempotencyKey", "labels", "createdAt", "notBefore", "startedAt", "endedAt", "retryBackoffMs",
            "lastError", "parentId", "children", "onSuccess", "onFailure", "timeoutMs", "concurrencyKey", "groupId",
            "groupIndex", "progress", "payload", "input", "result", "history"})
    public record Task(String id, String type, TaskState state, int attempt, int maxAttempts, int priority, String agent,
                long epoch, String idempotencyKey, List<String> labels, String createdAt, String notBefore,
                String startedAt, String endedAt, long retryBackoffMs, String lastError, String parentId,
                List<String> children, int onSuccess, int onFailure, long timeoutMs, String concurrencyKey,
                String groupId, Integer groupIndex, Progress progress, Blob payload, Blob input, Blob result,
                List<Event> history) {
        public static Task of(TaskRecord r, TaskProgress progress) {
            return new Task(r.id(), r.type(), r.state(), r.attempt(), r.maxAttempts(), r.priority(), r.agent(),
                    r.epoch(), r.idempotencyKey(), Text.sorted(r.labels()), Text.jsonTime(r.createdAt()),
                    Text.jsonTime(r.notBefore()), Text.jsonTime(startMillis(r)), Text.jsonTime(endMillis(r)),
                    r.retryBackoffMs(), r.lastError(), r.parentId(), r.children(), r.onSuccess().size(),
                    r.onFailure().size(), r.timeoutMs(), r.concurrencyKey(), r.groupId(),
                    r.groupId() == null ? null : r.groupIndex(), Progress.of(progress),
                    Blob.of(shownPayload(r.type(), r.payload())),
                    Blob.of(r.input()),
                    Blob.of(r.result()), r.history().stream().map(Event::of).toList());
        }
    }

    /** A running task's latest progress as its handler published it; null when there is none. */
    public record Progress(int percent, String message, String agent, int attempt) {
        public static Progress of(TaskProgress p) {
            return p == null ? null : new Progress(p.percent(), p.message(), p.agent(), p.attempt());
        }
    }

    /**
     * A payload as every view shows it: an exec payload through {@link ExecPayload#masked()} (no variable's value,
     * plain or secret), one that does not decode as exec JSON not at all (it may hold values); other types' as stored.
     */
    public static byte[] shownPayload(String type, byte[] payload) {
        if (!ExecPayload.TYPE.equals(type) || payload == null) {
            return payload;
        }
        try {
            return ExecPayload.fromJson("(shown)", payload).masked().toJson();
        } catch (RuntimeException e) {
            return ("(" + payload.length + " bytes, not a valid exec payload: not shown)")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** When the latest attempt started running, or 0. */
    public static long startMillis(TaskRecord r) {
        for (int i = r.history().size() - 1; i >= 0; i--) {
            TaskEvent e = r.history().get(i);
            if (e.state() == TaskState.RUNNING && e.attempt() == r.attempt()) {
                return e.at();
            }
        }
        return 0;
    }

    /** When the task reached its terminal state, or 0. */
    public static long endMillis(TaskRecord r) {
        if (!r.state().isTerminal()) {
            return 0;
        }
        for (int i = r.history().size() - 1; i >= 0; i--) {
            if (r.history().get(i).state() == r.state()) {
                return r.history().get(i).at();
            }
        }
        return 0;
    }

    /** Outcome of {@code cancel}. */
    @JsonPropertyOrder({"id", "cancelled", "state"})
    public record Cancel(String id, boolean cancelled, TaskState state) {
    }

    /** Outcome of {@code drain}. */
    @JsonPropertyOrder({"agent", "handled", "accepting", "inFlight"})
    public record Drain(String agent, boolean handled, Boolean accepting, int inFlight) {
    }

    /** Outcome of {@code wait}. */
    @JsonPropertyOrder({"id", "state", "ended", "succeeded", "attempt", "maxAttempts", "agent", "lastError", "result"})
    public record Wait(String id, TaskState state, boolean ended, boolean succeeded, int attempt, int maxAttempts,
                String agent, String lastError, Blob result) {
        public static Wait of(TaskRecord r) {
            return new Wait(r.id(), r.state(), r.state().isTerminal(), r.state() == TaskState.SUCCEEDED, r.attempt(),
                    r.maxAttempts(), r.agent(), r.lastError(), Blob.of(r.result()));
        }
    }

    /** Outcome of {@code submit}. */
    @JsonPropertyOrder({"id", "type", "payloadBytes", "idempotencyKey"})
    /** {@code submit --batch --join}: the group and its members' ids, in the batch's order. */
    public record GroupSubmitted(String groupId, List<String> memberIds) {
    }

    public record Submitted(String id, String type, int payloadBytes, String idempotencyKey) {
    }

    /**
     * One schedule. {@code kind} is {@code fixed-rate}, {@code fixed-delay} or {@code cron}; {@code intervalMs} is
     * set for the first two, {@code cron} and {@code zone} for the last. {@code nextFireTime} is null when the
     * schedule is paused, waits for its previous run (fixed delay) or never fires again. {@code lastFire} is when the
     * task of its last fired tick (or manual trigger) was created, null when none was or the task has been pruned.
     */
    @JsonPropertyOrder({"name", "trigger", "kind", "intervalMs", "cron", "zone", "enabled", "state", "misfire",
            "overlap", "maxMisfires", "taskType", "createdAt", "nextFireTime", "lastFire", "lastTaskId",
            "lastTaskState", "firedTicks", "skippedTicks", "triggerPending"})
    public record Schedule(String name, String trigger, String kind, Long intervalMs, String cron, String zone,
                    boolean enabled, String state, MisfirePolicy misfire, OverlapPolicy overlap, int maxMisfires,
                    String taskType, String createdAt, String nextFireTime, String lastFire, String lastTaskId,
                    TaskState lastTaskState, long firedTicks, long skippedTicks, boolean triggerPending) {
        /** @param lastTask the record of {@code lastTaskId}, or null when there is none (or it was pruned) */
        public static Schedule of(ScheduleInfo info, TaskRecord lastTask) {
            ScheduleRecord r = info.record();
            Trigger t = r.trigger();
            String kind = t instanceof Trigger.FixedRate ? "fixed-rate"
                    : t instanceof Trigger.FixedDelay ? "fixed-delay" : "cron";
            Long interval = t instanceof Trigger.FixedRate rate ? Long.valueOf(rate.periodMs())
                    : t instanceof Trigger.FixedDelay delay ? Long.valueOf(delay.delayMs()) : null;
            Trigger.CronTrigger cron = t instanceof Trigger.CronTrigger c ? c : null;
            return new Schedule(r.name(), triggerText(t), kind, interval, cron == null ? null : cron.expression(),
                    cron == null ? null : cron.zone(), r.enabled(), r.enabled() ? "enabled" : "paused", r.misfire(),
                    r.overlap(), r.maxMisfires(), r.template().type(), Text.jsonTime(r.createdAt()),
                    info.nextFireTime() == null ? null : Text.jsonTime(info.nextFireTime().toEpochMilli()),
                    lastTask == null ? null : Text.jsonTime(lastTask.createdAt()), r.lastTaskId(),
                    lastTask == null ? null : lastTask.state(), r.firedTicks(), r.skippedTicks(),
                    r.triggerRequestedAt() > 0);
        }

        /** Short form for tables: {@code every 1h}, {@code 10m after each run}, {@code cron 0 * * * *}. */
        public static String triggerText(Trigger t) {
            if (t instanceof Trigger.FixedRate rate) {
                return "every " + Text.duration(Duration.ofMillis(rate.periodMs()));
            }
            if (t instanceof Trigger.FixedDelay delay) {
                return Text.duration(Duration.ofMillis(delay.delayMs())) + " after each run";
            }
            return "cron " + ((Trigger.CronTrigger) t).expression();
        }
    }

    /** Outcome of {@code schedule rm|pause|resume|trigger-now}; {@code taskId} is the task a trigger-now fired. */
    @JsonPropertyOrder({"name", "action", "taskId", "schedule"})
    public record ScheduleChange(String name, String action, String taskId, Schedule schedule) {
    }

    /** One frame of {@code watch --json}. */
    @JsonPropertyOrder({"time", "status", "running"})
    public record Frame(String time, Status status, List<TaskRow> running) {
    }
}
