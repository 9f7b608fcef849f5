package io.ha.core.schedule;

import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import io.ha.core.Names;
import io.ha.core.NoSuchScheduleException;
import io.ha.core.ScheduleExistsException;
import io.ha.core.internal.Json;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskTemplate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Define and steer schedules: interval and cron jobs that the leader turns into tasks. Usable from any process.
 *
 * <p>Guarantee: each tick of a schedule enqueues at most one task across the whole cluster, whatever fails over:
 * the tick's identity (schedule name and scheduled time) is the idempotency key of its task. Which missed ticks fire
 * is the schedule's {@link MisfirePolicy}; whether a tick fires while the previous run goes on, its
 * {@link OverlapPolicy}. Not guaranteed: that a tick fires at its exact time (the leader checks at least every
 * second; a failover delays ticks by up to a session timeout).
 */
public final class Schedules {
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);

    private final ClusterContext ctx;
    private final int maxPayloadBytes;

    public Schedules(ClusterContext ctx) {
        this(ctx, TaskQueue.DEFAULT_MAX_PAYLOAD);
    }

    /** @param maxPayloadBytes templates with a larger payload are refused at define time */
    public Schedules(ClusterContext ctx, int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
        this.ctx = ctx;
    }

    /** Options of a schedule beyond its trigger and task. */
    public record Options(MisfirePolicy misfire, OverlapPolicy overlap, int maxMisfires, boolean enabled) {
        public static Options defaults() {
            return new Options(MisfirePolicy.FIRE_ONCE, OverlapPolicy.ALLOW, 100, true);
        }

        public Options withMisfire(MisfirePolicy policy) {
            return new Options(policy, overlap, maxMisfires, enabled);
        }

        public Options withOverlap(OverlapPolicy policy) {
            return new Options(misfire, policy, maxMisfires, enabled);
        }

        public Options withMaxMisfires(int max) {
            return new Options(misfire, overlap, max, enabled);
        }

        public Options paused() {
            return new Options(misfire, overlap, maxMisfires, false);
        }
    }

    public void define(String name, Trigger trigger, TaskSpec template) throws Exception {
        define(name, trigger, template, Options.defaults());
    }

    /**
     * Creates the schedule, or replaces the definition of an existing one keeping where it stands (last tick), so
     * redefining never repeats a tick.
     *
     * @throws IllegalArgumentException naming the problem for a bad name, trigger or template
     */
    public void define(String name, Trigger trigger, TaskSpec template, Options options) throws Exception {
        store(name, trigger, template, options, true);
    }

    /**
     * Creates the schedule only if no schedule of that name exists (atomically: of two concurrent creates of one
     * name, one fails).
     *
     * @throws ScheduleExistsException  when it exists; it is left unchanged
     * @throws IllegalArgumentException naming the problem for a bad name, trigger or template
     */
    public void create(String name, Trigger trigger, TaskSpec template, Options options) throws Exception {
        store(name, trigger, template, options, false);
    }

    private void store(String name, Trigger trigger, TaskSpec template, Options options, boolean replace)
            throws Exception {
        Names.validate("schedule name", name);
        Preconditions.checkNotNull(trigger, "schedule '%s' needs a trigger", name);
        Preconditions.checkNotNull(template, "schedule '%s' needs a task template", name);
        Preconditions.checkArgument(template.idempotencyKey() == null && template.notBefore() == null,
                "the task template of schedule '%s' must have neither an idempotency key nor a start time: each "
                        + "tick derives both", name);
        Preconditions.checkArgument(template.payload().length <= maxPayloadBytes,
                "the task template of schedule '%s' has a payload of %s bytes, over the limit of %s bytes", name,
                template.payload().length, maxPayloadBytes);
        TaskTemplate task = TaskTemplate.of(template);
        String path = ctx.paths().schedule(name);
        long now = System.currentTimeMillis();
        while (true) {
            Stat stat = new Stat();
            ScheduleRecord existing = read(name, stat).orElse(null);
            if (existing != null && !replace) {
                throw new ScheduleExistsException(name);
            }
            ScheduleRecord next = existing == null
                    ? new ScheduleRecord(name, trigger, task, options.enabled(), options.misfire(),
                            options.overlap(), options.maxMisfires(), now, now, null, 0, 0, 0)
                    : new ScheduleRecord(name, trigger, task, options.enabled(), options.misfire(), options.overlap(),
                            options.maxMisfires(), existing.createdAt(), existing.lastFireTime(),
                            existing.lastTaskId(), existing.firedTicks(), existing.skippedTicks(),
                            existing.triggerRequestedAt());
            try {
                if (existing == null) {
                    ctx.client().create().creatingParentsIfNeeded().forPath(path, Json.write(next));
                    LOG.info("schedule '{}' defined: {}, task type '{}'", name, trigger.describe(), task.type());
                } else {
                    ctx.client().setData().withVersion(stat.getVersion()).forPath(path, Json.write(next));
                    LOG.info("schedule '{}' redefined: {}, task type '{}'", name, trigger.describe(), task.type());
                }
                return;
            } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException e) {
                // Defined or changed concurrently: read again.
            }
        }
    }

    /** Removes a schedule; tasks it already enqueued are not affected. False when there was none. */
    public boolean remove(String name) throws Exception {
        Names.validate("schedule name", name);
        try {
            ctx.client().delete().forPath(ctx.paths().schedule(name));
            LOG.info("schedule '{}' removed", name);
            return true;
        } catch (KeeperException.NoNodeException e) {
            return false;
        }
    }

    /** @throws NoSuchScheduleException when no schedule has this name */
    public void pause(String name) throws Exception {
        update(name, r -> r.withEnabled(false, System.currentTimeMillis()));
        LOG.info("schedule '{}' paused", name);
    }

    /**
     * Resumes a paused schedule; ticks that fell in the pause are not fired.
     *
     * @throws NoSuchScheduleException when no schedule has this name
     */
    public void resume(String name) throws Exception {
        update(name, r -> r.withEnabled(true, System.currentTimeMillis()));
        LOG.info("schedule '{}' resumed", name);
    }

    /**
     * Asks the leader to fire the schedule once now, in addition to its ticks (also when paused).
     *
     * @throws NoSuchScheduleException when no schedule has this name
     */
    public void triggerNow(String name) throws Exception {
        update(name, r -> r.withTriggerRequest(System.currentTimeMillis()));
        LOG.info("schedule '{}' triggered by hand", name);
    }

    public Optional<ScheduleInfo> get(String name) throws Exception {
        Names.validate("schedule name", name);
        return read(name, new Stat()).map(r -> new ScheduleInfo(r, nextFireTime(r)));
    }

    /** All schedules, by name. */
    public List<ScheduleInfo> list() throws Exception {
        List<String> names;
        try {
            names = ctx.client().getChildren().forPath(ctx.paths().schedules());
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<ScheduleInfo> out = new ArrayList<>();
        for (String name : names.stream().sorted().toList()) {
            try {
                read(name, new Stat()).ifPresent(r -> out.add(new ScheduleInfo(r, nextFireTime(r))));
            } catch (CorruptDataException e) {
                LOG.warn("skipping schedule: {}", e.getMessage());
            }
        }
        return out;
    }

    static Instant nextFireTime(ScheduleRecord r) {
        if (!r.enabled()) {
            return null;
        }
        return Ticks.nextAfter(r.trigger(), r.lastFireTime()).map(Instant::ofEpochMilli).orElse(null);
    }

    Optional<ScheduleRecord> read(String name, Stat stat) throws Exception {
        String path = ctx.paths().schedule(name);
        try {
            return Optional.of(Json.read(path, ctx.client().getData().storingStatIn(stat).forPath(path),
                    ScheduleRecord.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    private void update(String name, UnaryOperator<ScheduleRecord> change) throws Exception {
        Names.validate("schedule name", name);
        while (true) {
            Stat stat = new Stat();
            ScheduleRecord current = read(name, stat)
                    .orElseThrow(() -> new NoSuchScheduleException(name));
            try {
                ctx.client().setData().withVersion(stat.getVersion())
                        .forPath(ctx.paths().schedule(name), Json.write(change.apply(current)));
                return;
            } catch (KeeperException.BadVersionException e) {
                // The leader recorded a tick meanwhile: apply the change to the fresh record.
            }
        }
    }
}
