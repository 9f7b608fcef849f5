package io.ha.agent.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where the CPU of other processes went between two points, by process group ("servers", "agents") and thread kind
 * ({@link ProcCpu#byThread}): the profile of a run whose work happens outside this JVM, where {@link CpuProfile}
 * cannot look. Guarantee: each entry is the CPU the group's live threads of that kind used in between. Not counted:
 * threads that ended before {@link #stop} (short-lived ones are missed).
 */
final class ProcessProfile {
    private final Map<String, long[]> groups;
    private final Map<String, Long> start;

    private ProcessProfile(Map<String, long[]> groups) {
        this.groups = groups;
        this.start = snapshot(groups);
    }

    /** Starts measuring the processes of every group (group name to pids). */
    static ProcessProfile start(Map<String, long[]> groups) {
        return new ProcessProfile(new LinkedHashMap<>(groups));
    }

    /** CPU milliseconds per unit of work ({@code units} tasks, creates) by "group: thread kind", largest first. */
    Map<String, Double> stop(int units) {
        Map<String, Long> end = snapshot(groups);
        Map<String, Double> perUnit = new HashMap<>();
        end.forEach((k, v) -> {
            long used = v - start.getOrDefault(k, 0L);
            if (used > 0) {
                perUnit.put(k, used / 1e6 / units);
            }
        });
        return perUnit.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** The first {@code top} entries as one line, e.g. {@code servers: SyncThread 0.120, agents: ha-task 0.080}. */
    static String format(Map<String, Double> profile, int top) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Double> e : profile.entrySet()) {
            if (parts.size() == top) {
                break;
            }
            parts.add(String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue()));
        }
        return String.join(", ", parts);
    }

    private static Map<String, Long> snapshot(Map<String, long[]> groups) {
        Map<String, Long> out = new HashMap<>();
        groups.forEach((group, pids) -> {
            for (long pid : pids) {
                ProcCpu.byThread(pid).forEach((kind, nanos) -> out.merge(group + ": " + kind, nanos, Long::sum));
            }
        });
        return out;
    }
}
