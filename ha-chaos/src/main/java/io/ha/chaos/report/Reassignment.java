package io.ha.chaos.report;

import io.ha.chaos.fault.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * How long an agent's tasks waited to run again after the agent died (kill -9, a pause or a partition past its
 * session): per fault, from its start to the last of the tasks the agent held beginning its next run, on another
 * agent or on the agent's restarted process (a dead, paused or cut-off agent starts no run, so any run after the
 * fault's start follows the reassignment). Pure: computed from the faults and the merged event logs.
 *
 * <p>Guarantee: a sample only for a fault whose agent held at least one task that ran again afterwards. Not
 * guaranteed: the moment of death to the millisecond (the fault's start is when the signal or the cut was sent).
 */
public final class Reassignment {
    private Reassignment() {
    }

    /** One sample per fault that ended an agent's session with tasks held, in milliseconds. */
    public static List<Long> samples(List<Fault> faults, RunLog log) {
        List<Long> samples = new ArrayList<>();
        for (Fault f : faults) {
            if (!f.kind().agentDeath() || f.heldTasks().isEmpty()) {
                continue;
            }
            long worst = -1;
            for (String task : f.heldTasks()) {
                OptionalLong elsewhere = log.runs().stream()
                        .filter(r -> r.task().equals(task) && r.at() >= f.atMs())
                        .mapToLong(RunLog.Run::at).min();
                if (elsewhere.isPresent()) {
                    worst = Math.max(worst, elsewhere.getAsLong() - f.atMs());
                }
            }
            if (worst >= 0) {
                samples.add(worst);
            }
        }
        return samples;
    }

    /** The {@code p}-th percentile (0-100, nearest rank) of {@code samples}, or -1 when there are none. */
    public static long percentile(List<Long> samples, int p) {
        if (samples.isEmpty()) {
            return -1;
        }
        List<Long> sorted = samples.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
