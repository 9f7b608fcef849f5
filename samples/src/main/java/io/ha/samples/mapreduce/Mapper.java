package io.ha.samples.mapreduce;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ha.core.cluster.HaCluster;
import io.ha.core.task.JoinInput;
import io.ha.core.task.NonRetryableTaskException;
import io.ha.samples.SampleNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * An agent "machine" of the map-reduce sample: counts the words of the parts it is given ({@value #MAP}, two at a
 * time) and, when the leader gives it the group's join, merges the counts of every part ({@value #MERGE}). Each run
 * of the merge is also written down in a file of its own ({@code --runs DIR}), so that the sample can count them.
 *
 * <p>Guarantee: the merge's result holds the counts of exactly the parts that SUCCEEDED, as its input lists them, and
 * says how many parts that was. Not guaranteed: a merge that sees a failed part still merges the others (the default
 * group policy); the sample checks that none failed.
 */
public final class Mapper {
    static final String MAP = "count-words";
    static final String MERGE = "merge-counts";
    /** A part of a real job takes longer to map than these few hundred words: this stands for it. */
    private static final long PART_MS = 700;

    private Mapper() {
    }

    public static void main(String[] args) throws Exception {
        SampleNode node = SampleNode.parse("Mapper", args);
        node.exitWithParent();
        Path runs = Path.of(node.option("runs")).resolve("merges-" + node.id() + ".log");
        // HA: every mapper is a member: it registers under /agents and stands in the election; the leader is the
        // dispatcher that hands the parts out (and is itself a mapper here).
        HaCluster cluster = node.clusterBuilder().build().start();

        // The map step: one part's text in, its word counts out. Stored with the part by the transaction that ends
        // it, so the join finds it there, whichever agent counted it and whatever became of that agent since.
        cluster.worker().register(MAP, ctx -> {
            String[] part = ctx.payloadAsString().split("\n", 2);
            Thread.sleep(PART_MS);
            Map<String, Long> counts = WordCounts.count(part[1]);
            node.say("%s: %d words, %d distinct (attempt %d)", part[0], WordCounts.total(counts), counts.size(),
                    ctx.attempt());
            return WordCounts.encode(counts).getBytes(UTF_8);
        }, 2);

        // The reduce step, the group's join. HA: it is created once, by the transaction that records the outcome of
        // the last part, with every part's id, state and result as its input; no one has to notice that the map
        // phase is over, and a part redone after an agent died is in the input only once, with its final result.
        cluster.worker().register(MERGE, ctx -> {
            Files.writeString(runs, ctx.taskId() + " " + ctx.attempt() + "\n", UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            JoinInput in = JoinInput.of(ctx);
            if (in.form() != JoinInput.Form.RESULTS) {
                // Results that do not fit the payload limit would have to be read member by member; not here.
                throw new NonRetryableTaskException("the join input holds no results (form " + in.form() + ")");
            }
            Map<String, Long> merged = new TreeMap<>();
            int parts = 0;
            for (JoinInput.Member m : in.members()) {
                if (m.succeeded()) {
                    WordCounts.mergeInto(merged, WordCounts.decode(m.resultText()));
                    parts++;
                }
            }
            node.say("merged %d of %d parts: %d words, %d distinct; top %s", parts, in.size(),
                    WordCounts.total(merged), merged.size(), WordCounts.top(merged, 3));
            return ("parts " + parts + " of " + in.size() + "\n" + WordCounts.encode(merged)).getBytes(UTF_8);
        }, 1);
        node.say("joined as a mapper, pid %d", ProcessHandle.current().pid());

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            closed.countDown();
        }, "leave-cluster"));
        closed.await();
    }
}
