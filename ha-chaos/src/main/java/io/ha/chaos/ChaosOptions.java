package io.ha.chaos;

import io.ha.chaos.fault.FaultKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one chaos run does, validated: an immutable value made by {@link ChaosMain} from the command line.
 *
 * @param duration       how long the workload runs and faults are injected
 * @param seed           the seed of every random choice of the run (faults, targets, gaps)
 * @param json           where to write the JSON report, or null
 * @param agents         how many agent processes
 * @param sessionTimeout the agents' ZooKeeper session timeout
 * @param faults         the fault kinds to inject, each at least once per round
 * @param workDir        the run's directory (logs, ZooKeeper data), or null for a fresh temporary one
 * @param keep           keep the run's directory after a clean run (one with a failed invariant is always kept)
 */
public record ChaosOptions(Duration duration, long seed, Path json, int agents, Duration sessionTimeout,
                           List<FaultKind> faults, Path workDir, boolean keep) {
    public static final int MIN_AGENTS = 2;
    public static final int MAX_AGENTS = 9;
    public static final Duration MIN_DURATION = Duration.ofSeconds(5);
    /** The ensemble's tick is 500 ms: ZooKeeper grants sessions of 1 to 10 s. */
    public static final Duration MIN_SESSION = Duration.ofSeconds(1);
    public static final Duration MAX_SESSION = Duration.ofSeconds(10);

    /** @throws IllegalArgumentException naming the option and its limit */
    public ChaosOptions {
        require(duration.compareTo(MIN_DURATION) >= 0, "--duration must be at least " + MIN_DURATION.toSeconds()
                + "s, got " + duration.toMillis() + "ms");
        require(agents >= MIN_AGENTS && agents <= MAX_AGENTS, "--agents must be " + MIN_AGENTS + " to " + MAX_AGENTS
                + ", got " + agents);
        require(sessionTimeout.compareTo(MIN_SESSION) >= 0 && sessionTimeout.compareTo(MAX_SESSION) <= 0,
                "--session-timeout must be " + MIN_SESSION.toSeconds() + "s to " + MAX_SESSION.toSeconds()
                        + "s (the ensemble's tick is 500 ms), got " + sessionTimeout.toMillis() + "ms");
        require(!faults.isEmpty(), "--faults must name at least one kind (" + FaultKind.labels() + ")");
        faults = List.copyOf(faults);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
