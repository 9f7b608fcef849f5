package io.ha.core.schedule;

import io.ha.core.CorruptDataException;
import io.ha.core.TaskRejectedException;
import io.ha.core.internal.Json;
import io.ha.core.leader.LeaderContext;
import io.ha.core.leader.LeaderService;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader-only side of schedules: turns due ticks into tasks. Each tick's task carries the idempotency key
 * {@code schedule:<name>:<scheduled epoch ms>}, so a leader that fails over between enqueueing a tick and recording
 * it cannot enqueue it twice: the next leader computes the same tick and gets the same task back.
 */
public final class Scheduler implements LeaderService {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private static final long MAX_SLEEP_MS = 1000;
    /** A due tick older than this counts as missed (the loop itself wakes well within it). */
    static final long MISFIRE_THRESHOLD_MS = 2000;

    private final ClusterContext ctx;
    private final Schedules schedules;
    private final TaskQueue queue;

    public Scheduler(ClusterContext ctx, Schedules schedules, TaskQueue queue) {
        this.ctx = ctx;
        this.schedules = schedules;
        this.queue = queue;
    }

    static String tickKey(String name, long tick) {
        return "schedule:" + name + ":" + tick;
    }

    @Override
    public void lead(LeaderContext leader) throws Exception {
        LOG.info("scheduler started for epoch {}", leader.epoch());
        while (!Thread.currentThread().isInterrupted()) {
            long now = System.currentTimeMillis();
            long nextWake = now + MAX_SLEEP_MS;
            List<String> names;
            try {
                names = ctx.client().getChildren().forPath(ctx.paths().schedules());
            } catch (KeeperException.NoNodeException e) {
                names = List.of();
            }
            for (String name : names) {
                try {
                    Optional<Long> next = handle(name, now);
                    if (next.isPresent()) {
                        nextWake = Math.min(nextWake, next.get());
                    }
                } catch (CorruptDataException e) {
                    LOG.warn("schedule {} is unreadable and is not fired: {}", name, e.getMessage());
                } catch (TaskRejectedException | IllegalArgumentException e) {
                    // This schedule's task cannot be enqueued (a template over this leader's payload limit, say):
                    // it must not hold up the others. It is tried again next round.
                    LOG.warn("schedule {} could not enqueue its task and is not fired: {}", name, e.getMessage());
                }
            }
            long sleep = nextWake - System.currentTimeMillis();
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
        }
    }

    /** Fires what is due for one schedule; returns when it next needs attention. */
    private Optional<Long> handle(String name, long now) throws Exception {
        Stat stat = new Stat();
        Optional<ScheduleRecord> read = schedules.read(name, stat);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        ScheduleRecord r = read.get();
        if (r.triggerRequestedAt() > 0) {
            String id = queue.submit(r.template().toSpec(null, tickKey(name, r.triggerRequestedAt()) + ":manual"));
            if (save(name, r.manualFired(id), stat)) {
                LOG.info("schedule '{}' fired by hand: task {}", name, id);
            }
            return Optional.of(now);
        }
        if (!r.enabled()) {
            return Optional.empty();
        }
        if (r.trigger() instanceof Trigger.FixedDelay delay) {
            return fixedDelay(name, r, delay, stat, now);
        }
        List<Long> due = Ticks.due(r.trigger(), r.lastFireTime(), now, r.maxMisfires());
        if (due.isEmpty()) {
            return Ticks.nextAfter(r.trigger(), r.lastFireTime());
        }
        if (r.overlap() != OverlapPolicy.ALLOW && previousRunning(r)) {
            if (r.overlap() == OverlapPolicy.SKIP) {
                long last = due.get(due.size() - 1);
                if (save(name, r.skipped(last, due.size()), stat)) {
                    LOG.info("schedule '{}' skipped {} tick(s): previous run {} still going", name, due.size(),
                            r.lastTaskId());
                }
            }
            return Optional.of(now + 200); // QUEUE: hold the tick and look again shortly
        }
        boolean overflow = due.size() > r.maxMisfires();
        long latest = overflow ? Ticks.latestAtOrBefore(r.trigger(), now).orElse(due.get(due.size() - 1))
                : due.get(due.size() - 1);
        boolean missed = due.size() > 1 || now - due.get(0) > MISFIRE_THRESHOLD_MS;
        List<Long> fire;
        if (!missed) {
            fire = due;
        } else {
            fire = switch (r.misfire()) {
                case FIRE_ALL -> overflow ? List.of(latest) : due;
                case FIRE_ONCE -> List.of(latest);
                case SKIP -> List.of();
            };
        }
        String lastId = r.lastTaskId();
        for (long tick : fire) {
            lastId = queue.submit(r.template().toSpec(null, tickKey(name, tick)));
        }
        int skipped = overflow ? Math.max(0, r.maxMisfires() + 1 - fire.size()) : due.size() - fire.size();
        ScheduleRecord next = r.fired(latest, lastId, fire.size());
        if (skipped > 0) {
            next = next.skipped(latest, skipped);
        }
        if (save(name, next, stat)) {
            if (missed) {
                LOG.info("schedule '{}' missed {} tick(s) ({}): fired {}, skipped {}", name,
                        overflow ? "more than " + r.maxMisfires() : due.size(), r.misfire(), fire.size(), skipped);
            }
            LOG.debug("schedule '{}' fired tick {} as task {}", name, Instant.ofEpochMilli(latest), lastId);
        }
        return Ticks.nextAfter(r.trigger(), latest);
    }

    private Optional<Long> fixedDelay(String name, ScheduleRecord r, Trigger.FixedDelay delay, Stat stat, long now)
            throws Exception {
        long base;
        if (r.lastTaskId() == null) {
            base = r.lastFireTime();
        } else {
            Optional<TaskRecord> last = queue.get(r.lastTaskId());
            if (last.isPresent() && !last.get().state().isTerminal()) {
                return Optional.of(now + 200);
            }
            // Ended (or pruned): the delay counts from its end, as recorded in its history.
            base = last.map(t -> t.history().isEmpty() ? now : t.history().get(t.history().size() - 1).at())
                    .orElse(r.lastFireTime());
        }
        long tick = base + delay.delayMs();
        if (tick > now) {
            return Optional.of(tick);
        }
        String id = queue.submit(r.template().toSpec(null, tickKey(name, tick)));
        save(name, r.fired(tick, id, 1), stat);
        return Optional.of(now + 200);
    }

    private boolean previousRunning(ScheduleRecord r) throws Exception {
        if (r.lastTaskId() == null) {
            return false;
        }
        return queue.get(r.lastTaskId()).map(t -> !t.state().isTerminal()).orElse(false);
    }

    /** Records the new state; false when the schedule changed meanwhile (it is read again next round). */
    private boolean save(String name, ScheduleRecord next, Stat stat) throws Exception {
        try {
            ctx.client().setData().withVersion(stat.getVersion()).forPath(ctx.paths().schedule(name),
                    Json.write(next));
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            // Edited, paused or removed meanwhile; the tasks already enqueued keep their tick keys, so reading
            // again and firing the same ticks enqueues nothing new.
            return false;
        }
    }
}
