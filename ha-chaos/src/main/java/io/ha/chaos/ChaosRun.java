package io.ha.chaos;

import io.ha.chaos.agent.AgentWorkload;
import io.ha.chaos.fault.Fault;
import io.ha.chaos.fault.FaultInjector;
import io.ha.chaos.fleet.ChaosFleet;
import io.ha.chaos.report.ChaosReport;
import io.ha.chaos.report.Invariants;
import io.ha.chaos.report.Outcomes;
import io.ha.chaos.report.Reassignment;
import io.ha.chaos.report.RunLog;
import io.ha.chaos.report.Ticks;
import io.ha.chaos.workload.Submitter;
import io.ha.core.schedule.MisfirePolicy;
import io.ha.core.schedule.ScheduleInfo;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run from start to verdict: the fleet up, the workload (a stream of tasks, a schedule, and in every agent
 * exclusive work and leader-only work) for the run's duration while faults are injected one at a time, then every
 * agent brought back, the queue left to settle, the outcomes read from ZooKeeper and the agents' logs merged, and
 * the invariants checked.
 *
 * <p>Guarantee: {@link #run()} returns 0 only when every invariant held, and ends every process it started on every
 * path (a Ctrl-C included). Not guaranteed: the same timing twice (the seed fixes the faults' kinds, targets and gaps,
 * not how fast the machine is).
 */
final class ChaosRun {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);
    private static final String SCHEDULE = "chaos-tick";
    private static final Duration TICK_PERIOD = Duration.ofSeconds(1);
    private static final Duration SUBMIT_INTERVAL = Duration.ofMillis(150);
    /** How long the queue may take to settle after the faults stopped. */
    private static final Duration SETTLE = Duration.ofSeconds(120);

    private final ChaosOptions options;
    private final PrintStream out;

    ChaosRun(ChaosOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Carries out the run; returns the exit code (0 invariants held, 1 otherwise). */
    int run() throws Exception {
        Path runDir = options.workDir() != null ? Files.createDirectories(options.workDir())
                : Files.createTempDirectory("ha-chaos-");
        out.printf("ha-chaos: seed %d, %d agents, %s of faults (%s), session timeout %d ms, work dir %s%n",
                options.seed(), options.agents(), options.duration().toString().substring(2).toLowerCase(),
                String.join(",", options.faults().stream().map(k -> k.label()).toList()),
                options.sessionTimeout().toMillis(), runDir);
        ChaosFleet fleet;
        try {
            fleet = ChaosFleet.start(runDir, options.agents(), options.sessionTimeout(), jvmOptions());
        } catch (Exception e) {
            out.println("ha-chaos: the run could not start: " + e.getMessage() + " (logs in " + runDir + ")");
            LOG.error("start failed", e);
            return 1;
        }
        Thread hook = new Thread(fleet::close, "ha-chaos-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            ChaosReport report = exercise(fleet);
            report.print(out);
            if (options.json() != null) {
                report.writeJson(options.json());
                out.println("ha-chaos: JSON report in " + options.json());
            }
            fleet.close();
            if (report.invariantsHeld() && !options.keep()) {
                delete(runDir);
            } else {
                out.println("ha-chaos: logs, event files and ZooKeeper data kept in " + runDir);
            }
            return report.invariantsHeld() ? 0 : 1;
        } catch (Exception e) {
            out.println("ha-chaos: the run could not be carried out: " + e + " (logs in " + runDir + ")");
            LOG.error("run failed", e);
            return 1;
        } finally {
            fleet.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook runs (and finds the fleet closed).
            }
        }
    }

    private ChaosReport exercise(ChaosFleet fleet) throws Exception {
        Schedules schedules = fleet.observer().schedules();
        schedules.define(SCHEDULE, Trigger.every(TICK_PERIOD), TaskSpec.builder(AgentWorkload.TICK_TYPE)
                        .maxAttempts(Submitter.MAX_ATTEMPTS).build(),
                Schedules.Options.defaults().withMisfire(MisfirePolicy.FIRE_ALL).withMaxMisfires(10_000));
        Submitter submitter = new Submitter(fleet.observer().taskQueue(), SUBMIT_INTERVAL);
        long startedAt = System.currentTimeMillis();
        long until = startedAt + options.duration().toMillis();
        submitter.start();
        FaultInjector injector = new FaultInjector(fleet, options.seed(), options.faults(), startedAt,
                f -> out.printf("ha-chaos: +%5.1f s %-15s %-10s %s%s%n", (f.atMs() - startedAt) / 1000.0,
                        f.kind().label(), f.target(), f.heldTasks().isEmpty() ? ""
                                : "held " + f.heldTasks().size() + " tasks; ", "over after "
                                + (f.endMs() - f.atMs()) + " ms" + (f.detail().isEmpty() ? "" : ", " + f.detail())));
        List<Fault> faults = new ArrayList<>(injector.run(until));
        long left = until - System.currentTimeMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
        submitter.stop();
        schedules.pause(SCHEDULE);
        long pausedAt = System.currentTimeMillis();
        long endedAt = pausedAt;
        List<String> revived = fleet.reviveAll();
        if (!revived.isEmpty()) {
            out.println("ha-chaos: restarted after the faults (not up): " + revived);
        }
        out.printf("ha-chaos: faults over after %.1f s; waiting for the queue to settle%n",
                (endedAt - startedAt) / 1000.0);
        Outcomes outcomes = Outcomes.read(fleet.observer().taskQueue(), submitter.acknowledged(),
                AgentWorkload.TICK_TYPE, SETTLE);
        ScheduleInfo info = schedules.get(SCHEDULE).orElseThrow();
        Trigger.FixedRate rate = (Trigger.FixedRate) info.record().trigger();
        Ticks ticks = new Ticks(outcomes.ticks(), Ticks.elapsed(rate.startMs(), rate.periodMs(), pausedAt),
                info.record().skippedTicks());
        RunLog log = RunLog.read(fleet.runDir());
        Invariants inv = Invariants.check(outcomes.records(), log, faults, options.sessionTimeout());
        List<Long> reassign = Reassignment.samples(faults, log);
        return ChaosReport.of(options.seed(), endedAt - startedAt, options.sessionTimeout().toMillis(), startedAt,
                outcomes, submitter.refused(), inv, ticks, faults, reassign, fleet.agentStarts(), log);
    }

    /** The child JVMs' logging: the HA home's conf/logback.xml when there is one. */
    private static List<String> jvmOptions() {
        List<String> options = new ArrayList<>();
        String conf = System.getProperty("logback.configurationFile");
        String home = System.getProperty("ha.home");
        if (conf == null && home != null && Files.isRegularFile(Path.of(home, "conf", "logback.xml"))) {
            conf = Path.of(home, "conf", "logback.xml").toString();
        }
        if (conf != null) {
            options.add("-Dlogback.configurationFile=" + conf);
        }
        return options;
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind; the verdict stands.
        }
    }
}
