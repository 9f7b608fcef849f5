package io.ha.samples.serviceintegration;

import io.ha.core.leader.LeaderContext;
import io.ha.core.leader.LeaderService;
import io.ha.core.schedule.Trigger;
import io.ha.samples.SampleNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The service's nightly job, as a leader-only {@link LeaderService}: while this instance leads, it waits for the next
 * time of its cron expression (the "night", its period) and runs the job for that period, reporting each run as one
 * line {@code nightly run for period HH:MM:SS <outcome> ... (epoch E)}.
 *
 * <p>Guarantee: a run starts only inside a leadership term, carries that term's epoch, and is reported {@code done}
 * only if the term still holds when its work is over; a run whose term ends first is interrupted. Not guaranteed:
 * that a period is run when no instance led at its time (the next leader starts at the next period; ha-core's
 * {@code Schedules} with a misfire policy make up missed periods), nor that the job's side effects are fenced unless
 * the store they go to checks the epoch.
 */
final class NightlyJob implements LeaderService {
    private static final DateTimeFormatter PERIOD = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final SampleNode node;
    private final Trigger.CronTrigger cron;
    private final Duration work;
    private final List<String> runs = new CopyOnWriteArrayList<>();

    NightlyJob(SampleNode node, Trigger.CronTrigger cron, Duration work) {
        this.node = node;
        this.cron = cron;
        this.work = work;
    }

    /** The runs this instance made, one line each, for {@code GET /jobs}. */
    List<String> runs() {
        return List.copyOf(runs);
    }

    @Override
    public void lead(LeaderContext ctx) throws InterruptedException {
        node.say("LEADER epoch %d: the nightly job (%s) runs here now", ctx.epoch(), cron.describe());
        while (ctx.isLeader()) {
            // Every instance computes the same periods from the cron expression alone; only the leader acts on them.
            long period = cron.nextAfter(System.currentTimeMillis())
                    .orElseThrow(() -> new IllegalStateException(cron.describe() + " never fires again"));
            Thread.sleep(Math.max(0, period - System.currentTimeMillis()));
            runOnce(ctx, period);
        }
    }

    private void runOnce(LeaderContext ctx, long period) throws InterruptedException {
        String name = PERIOD.format(Instant.ofEpochMilli(period));
        long started = System.nanoTime();
        try {
            Thread.sleep(work.toMillis());   // the night's work: a report, a clean-up, a settlement
        } catch (InterruptedException e) {
            // HA interrupts leader work the moment the term can no longer be guaranteed: stop, report nothing as done.
            report(name, "interrupted", started, ctx.epoch());
            throw e;
        }
        // The result would be written with the epoch as its fencing token: a store that keeps the highest epoch it
        // has seen refuses a deposed leader's late write. Here it is the line printed below and GET /jobs.
        report(name, ctx.isLeader() ? "done" : "abandoned (term ended)", started, ctx.epoch());
    }

    private void report(String period, String outcome, long startedNanos, long epoch) {
        String line = String.format("nightly run for period %s %s in %.2f s (epoch %d)", period, outcome,
                (System.nanoTime() - startedNanos) / 1e9, epoch);
        runs.add(line);
        node.say("%s", line);
    }
}
