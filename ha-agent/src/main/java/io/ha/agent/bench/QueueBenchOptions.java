package io.ha.agent.bench;

import com.google.common.base.Preconditions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@code ha-bench queue}, validated on construction. {@link #parse(List)} reads them from the command line;
 * {@code --quick} switches every size that was not given explicitly to a small one.
 *
 * @param tasks          tasks in the timed HA end-to-end run
 * @param workers        HA members, each with a worker (and, for the Curator queues, consumers)
 * @param concurrency    handler threads per HA worker
 * @param baselineItems  items through each Curator queue
 * @param zkCreates      nodes created one by one (synchronous, and again pipelined) for the raw ZooKeeper rows
 * @param zkMultiNodes   nodes created in {@code multi()} batches of {@link #ZK_MULTI_BATCH}
 * @param depthSmall     tasks already queued in the first depth run
 * @param depthLarge     tasks already queued in the second depth run
 * @param depthBatch     tasks timed in each depth round; the smaller depth holds it plus every worker slot, so
 *                       that the queue never runs dry while timed (a draining queue ends with fewer busy workers,
 *                       which is not a depth effect)
 * @param depthRounds    rounds per depth, alternating between the depths (the median counts)
 * @param rounds         timed rounds of the HA queue, of each Curator queue and of the synchronous creates, one
 *                       after another on the same clients (the median counts): the JIT compiler still works during
 *                       the first of them
 * @param fsync          whether the ZooKeeper server syncs its transaction log to disk (its production default)
 * @param quick          small sizes for a smoke run
 * @param json           where to write the figures as JSON, or null
 */
public record QueueBenchOptions(int tasks, int workers, int concurrency, int baselineItems, int zkCreates,
                                int zkMultiNodes, int depthSmall, int depthLarge, int depthBatch, int depthRounds,
                                int rounds, boolean fsync, boolean quick, Path json) {
    /** Creates per {@code multi()} in the batched raw ZooKeeper row. */
    public static final int ZK_MULTI_BATCH = 100;

    static final String USAGE = """
            usage: ha-bench queue [options]
              --tasks N            tasks in the timed HA run (default 20000; --quick 2000)
              --workers N          HA members with a worker, and Curator consumers (default 4)
              --concurrency C      handler threads per HA worker (default 32)
              --baseline-items N   items through each Curator queue (default 2000; --quick 500)
              --zk-creates N       raw ZooKeeper creates, one by one (default 5000; --quick 1000)
              --zk-multi-nodes N   raw ZooKeeper creates in multi() batches of 100 (default 50000; --quick 5000)
              --depths A,B         tasks queued before the two depth runs (default 1000,100000; --quick 1000,10000)
              --depth-batch N      tasks timed in each depth round (default 800; --quick 300)
              --depth-rounds N     rounds per depth, alternating; the median counts (default 5; --quick 2)
              --rounds N           timed rounds of the HA queue, each Curator queue and the synchronous creates;
                                   the median counts (default 3; --quick 1)
              --no-fsync           ZooKeeper server without fsync of its log (default: fsync, as in production)
              --quick              small sizes, for a smoke run
              --json FILE          also write the figures as one JSON object to FILE
            """;

    public QueueBenchOptions {
        Preconditions.checkArgument(tasks >= 100, "--tasks must be at least 100, got %s", tasks);
        Preconditions.checkArgument(workers >= 1 && workers <= 64, "--workers must be in 1-64, got %s", workers);
        Preconditions.checkArgument(concurrency >= 1 && concurrency <= 1000,
                "--concurrency must be in 1-1000, got %s", concurrency);
        Preconditions.checkArgument(baselineItems >= 100, "--baseline-items must be at least 100, got %s",
                baselineItems);
        Preconditions.checkArgument(zkCreates >= 100, "--zk-creates must be at least 100, got %s", zkCreates);
        Preconditions.checkArgument(zkMultiNodes >= ZK_MULTI_BATCH, "--zk-multi-nodes must be at least %s, got %s",
                ZK_MULTI_BATCH, zkMultiNodes);
        Preconditions.checkArgument(depthRounds >= 1 && depthRounds <= 20, "--depth-rounds must be in 1-20, got %s",
                depthRounds);
        Preconditions.checkArgument(rounds >= 1 && rounds <= 9, "--rounds must be in 1-9, got %s", rounds);
        Preconditions.checkArgument(depthBatch >= 10, "--depth-batch must be at least 10, got %s", depthBatch);
        Preconditions.checkArgument(depthLarge >= depthSmall, "--depths A,B needs A <= B, got %s,%s", depthSmall,
                depthLarge);
        Preconditions.checkArgument(depthSmall >= depthBatch + (long) workers * concurrency,
                "the smaller depth (%s) must hold --depth-batch (%s) plus every worker slot (%s workers x %s), so "
                        + "that the queue never runs dry while a depth round is timed", depthSmall, depthBatch,
                workers, concurrency);
    }

    /**
     * Reads the options that follow the sub-command.
     *
     * @throws IllegalArgumentException naming the option that is unknown, lacks a value or has a bad one
     */
    public static QueueBenchOptions parse(List<String> args) {
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
        Integer baseline = null;
        Integer zkCreates = null;
        Integer zkMulti = null;
        Integer depthBatch = null;
        Integer depthRounds = null;
        Integer rounds = null;
        int[] depths = null;
        int workers = 4;
        int concurrency = 32;
        boolean fsync = true;
        Path json = null;
        for (int i = 0; i < list.size(); i++) {
            String opt = list.get(i);
            switch (opt) {
                case "--quick" -> { }
                case "--no-fsync" -> fsync = false;
                case "--tasks" -> tasks = intValue(opt, list, ++i);
                case "--workers" -> workers = intValue(opt, list, ++i);
                case "--concurrency" -> concurrency = intValue(opt, list, ++i);
                case "--baseline-items" -> baseline = intValue(opt, list, ++i);
                case "--zk-creates" -> zkCreates = intValue(opt, list, ++i);
                case "--zk-multi-nodes" -> zkMulti = intValue(opt, list, ++i);
                case "--depth-batch" -> depthBatch = intValue(opt, list, ++i);
                case "--depth-rounds" -> depthRounds = intValue(opt, list, ++i);
                case "--rounds" -> rounds = intValue(opt, list, ++i);
                case "--depths" -> depths = depthsValue(value(opt, list, ++i));
                case "--json" -> json = Path.of(value(opt, list, ++i));
                default -> throw new IllegalArgumentException("unknown option '" + opt + "'");
            }
        }
        return new QueueBenchOptions(
                tasks != null ? tasks : quick ? 2_000 : 20_000,
                workers,
                concurrency,
                baseline != null ? baseline : quick ? 500 : 2_000,
                zkCreates != null ? zkCreates : quick ? 1_000 : 5_000,
                zkMulti != null ? zkMulti : quick ? 5_000 : 50_000,
                depths != null ? depths[0] : 1_000,
                depths != null ? depths[1] : quick ? 10_000 : 100_000,
                depthBatch != null ? depthBatch : quick ? 300 : 800,
                depthRounds != null ? depthRounds : quick ? 2 : 5,
                rounds != null ? rounds : quick ? 1 : 3,
                fsync, quick, json);
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

    private static int[] depthsValue(String v) {
        String[] parts = v.replace("_", "").split(",");
        if (parts.length != 2) {
            throw new IllegalArgumentException("option --depths needs two numbers like 1000,100000, got '" + v + "'");
        }
        try {
            return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --depths needs two numbers like 1000,100000, got '" + v + "'");
        }
    }
}
