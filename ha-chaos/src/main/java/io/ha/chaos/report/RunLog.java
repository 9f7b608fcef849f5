package io.ha.chaos.report;

import io.ha.chaos.agent.EventLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every agent process's {@link EventLog} of one run, read and merged: the task runs, the leader-only steps and the
 * exclusive steps. Lines that do not parse (cut short by a kill -9) are counted and skipped.
 *
 * <p>Guarantee: holds every complete line of every file under {@code events/}. Not guaranteed: any order.
 */
public record RunLog(List<Run> runs, List<Step> leaderSteps, List<Step> exclusiveSteps, int skippedLines) {
    /** A handler began one attempt of a task. */
    public record Run(String task, int attempt, String agent, long at) {
    }

    /**
     * One step of leader-only or exclusive work.
     *
     * @param token    the leader epoch, or the lock's fencing token
     * @param accepted whether the fence took the step's write
     */
    public record Step(String agent, long token, long start, long end, boolean accepted) {
    }

    public RunLog {
        runs = List.copyOf(runs);
        leaderSteps = List.copyOf(leaderSteps);
        exclusiveSteps = List.copyOf(exclusiveSteps);
    }

    /** Reads {@code runDir/events/*.log}. */
    public static RunLog read(Path runDir) throws IOException {
        List<Run> runs = new ArrayList<>();
        List<Step> leader = new ArrayList<>();
        List<Step> exclusive = new ArrayList<>();
        int skipped = 0;
        Path dir = runDir.resolve("events");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String[] x = line.split("\t");
                try {
                    switch (x[0]) {
                        case EventLog.RUN -> runs.add(new Run(x[1], Integer.parseInt(x[2]), x[3],
                                Long.parseLong(x[4])));
                        case EventLog.LEAD -> leader.add(new Step(x[1], Long.parseLong(x[2]), Long.parseLong(x[3]),
                                Long.parseLong(x[4]), "1".equals(x[5])));
                        case EventLog.EXCL -> exclusive.add(new Step(x[2], Long.parseLong(x[3]),
                                Long.parseLong(x[4]), Long.parseLong(x[5]), "1".equals(x[6])));
                        case EventLog.END -> {
                            // Ends are kept in the files for a reader; the invariants need the starts only.
                        }
                        default -> skipped++;
                    }
                } catch (RuntimeException e) {
                    skipped++;
                }
            }
        }
        return new RunLog(runs, leader, exclusive, skipped);
    }
}
