package io.ha.agent.cli;

import io.ha.agent.view.ScheduleViews;
import io.ha.agent.view.Text;
import io.ha.agent.view.Views;
import io.ha.core.ScheduleExistsException;
import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.MisfirePolicy;
import io.ha.core.schedule.OverlapPolicy;
import io.ha.core.schedule.ScheduleInfo;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskSpec;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-ctl schedule add NAME}: defines a schedule whose every tick enqueues the task described by
 * {@link TaskOptions}, as {@code submit} takes it. Exactly one trigger; an existing schedule is refused unless
 * {@code --replace} is given (then its definition is replaced and its last tick kept, so no tick repeats). The
 * existence check and the definition are two steps: two concurrent adds of one name may both succeed, the later
 * definition winning.
 */
@Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Define a schedule: the leader enqueues the task on every tick, once per tick across the "
                + "cluster.",
                "Give exactly one trigger, then the task as for 'ha-ctl submit'."},
        footerHeading = "%nExamples:%n",
        footer = {"  ha-ctl schedule add hourly-report --cron '0 * * * *' --zone Europe/Berlin \\",
                "      --type exec --then 'store-report' -- make report",
                "  ha-ctl schedule add poll --every 30s --overlap skip --type poll-feed -p feed-1",
                "  ha-ctl schedule add cleanup --fixed-delay 10m --paused --type exec \\",
                "      -- ./cleanup.sh",
                "Cron: 5 fields (minute hour day-of-month month day-of-week), or 6-7 fields",
                "with seconds first (Quartz syntax)."})
final class ScheduleAddCommand extends CtlCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The schedule's name.")
    String name;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARGS", description = TaskOptions.ARGS_HELP)
    List<String> args = new ArrayList<>();

    @Option(names = "--every", paramLabel = "DURATION",
            description = "Trigger: fixed rate, the first tick one period from now (at least 100ms).")
    Duration every;

    @Option(names = "--fixed-delay", paramLabel = "DURATION",
            description = "Trigger: this long after the previous run ended (at least 100ms).")
    Duration fixedDelay;

    @Option(names = "--cron", paramLabel = "EXPRESSION", description = "Trigger: a cron expression.")
    String cron;

    @Option(names = "--zone", paramLabel = "ZONE",
            description = "Time zone of --cron, such as Europe/Berlin (default UTC).")
    String zone;

    @Option(names = "--misfire", paramLabel = "POLICY",
            description = "Ticks missed while no leader could fire them: FIRE_ONCE (default: the latest), "
                    + "FIRE_ALL (each, up to --max-misfires), SKIP.")
    MisfirePolicy misfire;

    @Option(names = "--overlap", paramLabel = "POLICY",
            description = "A tick due while the previous run goes on: ALLOW (default), SKIP, QUEUE (fire when it "
                    + "ends).")
    OverlapPolicy overlap;

    @Option(names = "--max-misfires", paramLabel = "N",
            description = "FIRE_ALL fires at most this many missed ticks (1-10000, default 100).")
    Integer maxMisfires;

    @Option(names = "--paused", description = "Define it paused; 'ha-ctl schedule resume' starts it.")
    boolean paused;

    @Option(names = "--replace", description = "Replace an existing schedule's definition (keeping its last tick).")
    boolean replace;

    @Mixin
    TaskOptions task;

    private Trigger trigger;
    private TaskSpec template;
    private Schedules.Options options;

    @Override
    protected void validate() {
        ScheduleNameCommand.validateName(name);
        trigger = trigger();
        task.resolve(args, root.stdin(), root.env());
        try {
            template = task.builder().build();
            options = Schedules.Options.defaults();
            if (misfire != null) {
                options = options.withMisfire(misfire);
            }
            if (overlap != null) {
                options = options.withOverlap(overlap);
            }
            if (maxMisfires != null) {
                if (maxMisfires < 1 || maxMisfires > 10_000) {
                    throw CtlException.usage("--max-misfires must be in 1-10000, got " + maxMisfires);
                }
                options = options.withMaxMisfires(maxMisfires);
            }
            if (paused) {
                options = options.paused();
            }
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    /** The one trigger given; its checks (interval, cron syntax, zone) run here, before any connection. */
    private Trigger trigger() {
        int given = (every != null ? 1 : 0) + (fixedDelay != null ? 1 : 0) + (cron != null ? 1 : 0);
        if (given != 1) {
            throw CtlException.usage((given == 0 ? "no trigger" : "more than one trigger")
                    + ": give exactly one of --every DURATION, --fixed-delay DURATION and --cron EXPRESSION");
        }
        if (zone != null && cron == null) {
            throw CtlException.usage("--zone applies only to --cron");
        }
        try {
            if (every != null) {
                return Trigger.every(every);
            }
            if (fixedDelay != null) {
                return Trigger.afterPrevious(fixedDelay);
            }
            return Trigger.cron(cron, zone());
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    private ZoneId zone() {
        if (zone == null) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(zone.trim());
        } catch (DateTimeException e) {
            throw CtlException.usage("unknown time zone '" + Text.oneLine(zone) + "': give a region such as "
                    + "Europe/Berlin or America/New_York, or an offset such as UTC or +02:00");
        }
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        HaCluster c = connection.cluster();
        // Every tick would be refused at submit: refuse the definition instead.
        task.checkPayloadLimit(c.taskQueue());
        Optional<ScheduleInfo> before = c.schedules().get(name);
        try {
            if (replace) {
                c.schedules().define(name, trigger, template, options);
            } else {
                c.schedules().create(name, trigger, template, options); // refused atomically if it exists
            }
        } catch (ScheduleExistsException e) {
            Optional<ScheduleInfo> existing = c.schedules().get(name);
            throw CtlException.failed("schedule '" + name + "' exists" + existing.map(i -> " ("
                    + i.record().trigger().describe() + ", task type '" + i.record().template().type() + "')")
                    .orElse("") + "; give --replace to redefine it, or remove it first with 'ha-ctl schedule rm "
                    + name + "'");
        }
        ScheduleInfo info = c.schedules().get(name).orElseThrow(() -> CtlException.failed("schedule '" + name
                + "' was removed right after it was defined"));
        Views.Schedule view = ScheduleViews.read(c, info);
        if (json()) {
            printJson(view);
        } else {
            out().println("schedule " + name + (before.isPresent() ? " replaced" : " added") + ": "
                    + view.trigger() + (view.zone() == null ? "" : " (" + view.zone() + ")") + ", task type '"
                    + view.taskType() + "'; next fire: "
                    + ScheduleViews.nextFireText(view, System.currentTimeMillis()));
        }
        return CtlException.OK;
    }
}
