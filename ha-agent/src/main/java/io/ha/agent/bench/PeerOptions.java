package io.ha.agent.bench;

import com.google.common.base.Preconditions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@code ha-bench peers}, validated on construction; {@link #parse(List)} reads them from the command line
 * and {@code --quick} switches every size not given explicitly to a small one. Every section uses the same sizes:
 * the same number of tasks and the same total of worker threads ({@code workers x concurrency}) for HA and for each
 * peer, so that their figures compare.
 *
 * @param tasks       tasks in each timed run of every system
 * @param workers     workers (HA members, db-scheduler or Quartz scheduler instances)
 * @param concurrency handler threads per worker
 * @param rounds      timed rounds per system after its warm-up (the median counts)
 * @param sections    the sections to run, in order
 * @param fsync       whether every system syncs its log to disk on commit (ZooKeeper's transaction log, PostgreSQL's
 *                    WAL): on by default, as in production; off when {@code --no-fsync} is given or the JVM runs
 *                    with {@code -Dzookeeper.forceSync=no} (as the test suite does)
 * @param quick       small sizes, for a smoke run
 * @param json        where to write the figures as JSON, or null
 */
public record PeerOptions(int tasks, int workers, int concurrency, int rounds, List<String> sections,
                          boolean fsync, boolean quick, Path json) {
    static final String USAGE = """
            usage: ha-bench peers [options]
              --tasks N            tasks per timed run of every system (default 10000; --quick 300)
              --workers N          workers: HA members, db-scheduler and Quartz instances (default 4)
              --concurrency C      handler threads per worker (default 32)
              --rounds N           timed rounds per system after its warm-up; the median counts (default 3;
                                   --quick 1)
              --sections A,B,...   sections to run, in this order (default: all); see the list below
              --no-fsync           no fsync of ZooKeeper's log nor of PostgreSQL's WAL (default: fsync on both,
                                   as in production)
              --quick              small sizes, for a smoke run
              --json FILE          also write the figures as one JSON object to FILE
            """;

    public PeerOptions {
        Preconditions.checkArgument(tasks >= 10, "--tasks must be at least 10, got %s", tasks);
        Preconditions.checkArgument(workers >= 1 && workers <= 64, "--workers must be in 1-64, got %s", workers);
        Preconditions.checkArgument(concurrency >= 1 && concurrency <= 1000,
                "--concurrency must be in 1-1000, got %s", concurrency);
        Preconditions.checkArgument(rounds >= 1 && rounds <= 9, "--rounds must be in 1-9, got %s", rounds);
        Preconditions.checkArgument(!sections.isEmpty(), "--sections needs at least one section");
        sections = List.copyOf(sections);
    }

    /** Total handler threads, the same for every system. */
    int threads() {
        return workers * concurrency;
    }

    /**
     * Reads the options that follow the sub-command; section names are checked against {@code known}.
     *
     * @throws IllegalArgumentException naming the option that is unknown, lacks a value or has a bad one
     */
    static PeerOptions parse(List<String> args, List<String> known) {
        List<String> list = new ArrayList<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                list.add(a.substring(0, eq));
                list.add(a.substring(eq + 1));
            } else {
                list.add(a);
            }
        }
        boolean quick = list.contains("--quick");
        Integer tasks = null;
        Integer rounds = null;
        int workers = 4;
        int concurrency = 32;
        List<String> sections = known;
        boolean fsync = !"no".equals(System.getProperty("zookeeper.forceSync", "yes"));
        Path json = null;
        for (int i = 0; i < list.size(); i++) {
            String opt = list.get(i);
            switch (opt) {
                case "--quick" -> { }
                case "--no-fsync" -> fsync = false;
                case "--tasks" -> tasks = intValue(opt, list, ++i);
                case "--workers" -> workers = intValue(opt, list, ++i);
                case "--concurrency" -> concurrency = intValue(opt, list, ++i);
                case "--rounds" -> rounds = intValue(opt, list, ++i);
                case "--sections" -> sections = sections(value(opt, list, ++i), known);
                case "--json" -> json = Path.of(value(opt, list, ++i));
                default -> throw new IllegalArgumentException("unknown option '" + opt + "'");
            }
        }
        return new PeerOptions(tasks != null ? tasks : quick ? 300 : 10_000, workers, concurrency,
                rounds != null ? rounds : quick ? 1 : 3, sections, fsync, quick, json);
    }

    private static List<String> sections(String v, List<String> known) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            String name = s.trim().toLowerCase(java.util.Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown section '" + name + "'; known: " + String.join(",", known));
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static String value(String opt, List<String> list, int i) {
        if (i >= list.size() || list.get(i).startsWith("--")) {
            throw new IllegalArgumentException("option " + opt + " needs a value");
        }
        return list.get(i);
    }

    private static int intValue(String opt, List<String> list, int i) {
        String v = value(opt, list, i).replace("_", "");
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + opt + " needs a whole number, got '" + v + "'");
        }
    }
}
