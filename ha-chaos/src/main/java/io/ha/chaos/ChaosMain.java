package io.ha.chaos;

import io.ha.agent.config.Durations;
import io.ha.chaos.fault.FaultKind;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/ha-chaos}: a chaos run against a real ensemble ({@link ChaosRun}). Exit codes: 0 when every invariant
 * held, 1 when one failed (or the run could not be carried out), 2 for bad arguments (the message names the option).
 */
@Command(name = "ha-chaos", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Starts a 3-server ZooKeeper ensemble and agent processes on this machine, runs tasks, a "
                + "schedule, exclusive work and leader-only work while injecting faults at random, and checks the "
                + "invariants at the end (no task lost or recorded twice, no overlap outside the zombie window)."},
        footer = {"", "Fault kinds: agent-kill, agent-pause, agent-drain, agent-partition, zk-kill, zk-leader-kill, "
                + "quorum-loss.", "Exit codes: 0 invariants held, 1 an invariant failed (or the run could not "
                + "be carried out), 2 bad arguments."})
public final class ChaosMain implements Callable<Integer> {
    @Option(names = "--duration", paramLabel = "D", defaultValue = "2m",
            description = "How long tasks are submitted and faults injected (default ${DEFAULT-VALUE}).")
    private String duration;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the faults, targets and gaps (default random).")
    private Long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the report as JSON to FILE.")
    private Path json;

    @Option(names = "--agents", paramLabel = "N", defaultValue = "5",
            description = "Agent processes (default ${DEFAULT-VALUE}).")
    private int agents;

    @Option(names = "--session-timeout", paramLabel = "D", defaultValue = "4s",
            description = "The agents' session timeout (default ${DEFAULT-VALUE}).")
    private String sessionTimeout;

    @Option(names = "--faults", paramLabel = "KIND[,KIND]", split = ",",
            description = "Fault kinds to inject (default all).")
    private List<String> faults;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "The run's directory: logs, event files, ZooKeeper data (default a new temporary one).")
    private Path workDir;

    @Option(names = "--keep", description = "Keep the run's directory after a clean run (a failed one is kept).")
    private boolean keep;

    private final PrintStream out;
    private final PrintStream err;

    ChaosMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command line; returns the exit code. */
    static int execute(String[] args, PrintStream out, PrintStream err) {
        ChaosMain main = new ChaosMain(out, err);
        CommandLine cl = new CommandLine(main).setOut(new java.io.PrintWriter(out, true))
                .setErr(new java.io.PrintWriter(err, true));
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        ChaosOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            err.println("ha-chaos: " + e.getMessage());
            return 2;
        }
        return new ChaosRun(options, out).run();
    }

    private ChaosOptions options() {
        List<FaultKind> kinds = new ArrayList<>();
        if (faults == null || faults.isEmpty()) {
            kinds.addAll(List.of(FaultKind.values()));
        } else {
            for (String f : faults) {
                FaultKind k = FaultKind.of(f);
                if (!kinds.contains(k)) {
                    kinds.add(k);
                }
            }
        }
        return new ChaosOptions(Durations.parse("--duration", duration), seed != null ? seed
                : new SecureRandom().nextLong(), json, agents, Durations.parse("--session-timeout", sessionTimeout),
                kinds, workDir, keep);
    }
}
