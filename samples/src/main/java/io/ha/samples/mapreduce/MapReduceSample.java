/*
 * Sample "map-reduce": a word count split into 24 parts over three agents, the parts' counts merged by one join
 * task (fan-in), and one agent killed with kill -9 during the map phase.
 *
 * Guarantee shown: the join of a fan-in group is created exactly once, by the transaction that records the last
 * part's outcome, with every part's final result as its input; so the merged counts equal the counts of the whole
 * text even though an agent died mid-way. The dead agent's parts go back to pending when its session expires and
 * are counted again elsewhere (attempt 2), and each part is in the join's input once.
 * Not shown (not guaranteed): that a part is counted only once. Execution is at-least-once, and a part whose agent
 * dies after counting it but before its outcome is recorded is counted again; a map step must be free of side
 * effects, or fence them with its task's token. Results bigger than the payload limit do not travel in the join's
 * input (it then lists ids and states only); this sample's do.
 */
package io.ha.samples.mapreduce;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ha.core.cluster.HaCluster;
import io.ha.core.task.GroupState;
import io.ha.core.task.GroupStatus;
import io.ha.core.task.GroupSubmission;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.samples.Sample;
import io.ha.samples.SampleProcess;
import io.ha.samples.SampleRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** See the comment at the top of this file. */
public final class MapReduceSample implements Sample {
    private static final int WORDS = 4800;
    private static final int PARTS = 24;
    private static final int MAPPERS = 3;
    /** The agent is killed once this many parts are done: in the map phase, after some parts and before all. */
    private static final int KILL_AFTER = 6;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration ALL_DONE = Duration.ofMinutes(2);
    private static final String VOCABULARY = "the leader a of quorum and session to znode is watch epoch in agent"
            + " task that lock it fencing token for member follower with ensemble write read as ack on sequence"
            + " ephemeral by expired heartbeat node log snapshot transaction commit vote elected latch barrier";

    @Override
    public String name() {
        return "map-reduce";
    }

    @Override
    public String shows() {
        return "a word count in 24 parts over three agents, merged by one join task (fan-in); an agent killed -9 in"
                + " the map phase has its parts redone and the merged counts are exact";
    }

    @Override
    public void run(SampleRun run) throws Exception {
        // 1. The job: a text of 4,800 words (the same on every run), cut into 24 parts of 200 words. The sample
        //    counts the whole text itself too, to check the distributed result against.
        List<String> words = text();
        List<String> parts = IntStream.range(0, PARTS).mapToObj(i -> String.join(" ",
                words.subList(i * WORDS / PARTS, (i + 1) * WORDS / PARTS))).toList();
        Map<String, Long> expected = WordCounts.count(String.join(" ", words));
        run.say("the text: %d words, %d distinct; %d parts of %d words", WordCounts.total(expected), expected.size(),
                PARTS, WORDS / PARTS);

        // 2. Three mapper agents. One of them is elected leader and, as the dispatcher, hands the parts out.
        List<SampleProcess> mappers = new ArrayList<>();
        for (int i = 1; i <= MAPPERS; i++) {
            mappers.add(run.node("mapper-" + i, Mapper.class, "--runs", run.workDir().toString()));
        }
        HaCluster client = run.observer();
        run.await(MAPPERS + " mappers to take parts", STARTUP, () -> client.membership().list().stream()
                .filter(a -> a.accepting() && a.types().contains(Mapper.MAP)).count() == MAPPERS);
        run.await("a leader", STARTUP, () -> unchecked(() -> client.leaderElection().currentLeader()).isPresent());
        String leader = client.leaderElection().currentLeader().orElseThrow();
        // The victim is a mapper that does not lead: this sample shows the redo of parts (master-slave shows a
        // leader's death).
        SampleProcess victim = mappers.stream().filter(m -> !m.id().equals(leader)).findFirst().orElseThrow();

        // 3. One fan-in group: the 24 parts, and the merge as its join. Stored durably before submitGroup returns.
        TaskQueue queue = client.taskQueue();
        List<TaskSpec> members = IntStream.range(0, PARTS).mapToObj(i -> TaskSpec.builder(Mapper.MAP)
                .payload("part " + (i + 1) + "\n" + parts.get(i)).build()).toList();
        long submittedMs = System.currentTimeMillis();
        GroupSubmission group = queue.submitGroup(members, TaskSpec.builder(Mapper.MERGE).build());
        List<String> ids = group.memberIds();
        CompletableFuture<List<TaskRecord>> partsEnded = queue.futures(ids);
        run.say("submitted group %s: %d parts and the merge as its join; %s dispatches", group.groupId(), PARTS,
                leader);

        // 4. kill -9 one mapper in the map phase, while it holds parts. Its parts stay assigned to it until its
        //    session expires; then the leader puts them back to pending at attempt 2, for the other mappers.
        run.await(KILL_AFTER + " parts counted while " + victim.id() + " holds one", ALL_DONE,
                () -> succeeded(queue, group.groupId()) >= KILL_AFTER && !heldBy(queue, victim.id()).isEmpty());
        victim.kill();
        List<String> stranded = heldBy(queue, victim.id()).stream().sorted(Comparator.comparing(ids::indexOf))
                .toList();
        run.say("killed %s (kill -9) in the map phase, holding %s; waiting for its session to expire", victim.id(),
                stranded.isEmpty() ? "no part" : names(stranded, ids));

        // 5. The join is created by the last part's outcome: nobody polls for the end of the map phase.
        List<TaskRecord> outcomes = partsEnded.get(ALL_DONE.toSeconds(), TimeUnit.SECONDS);
        run.say("all %d parts have ended; the join runs", outcomes.size());
        run.await("the group to end", ALL_DONE, () -> unchecked(() -> queue.group(group.groupId())).state()
                .isFinished());
        GroupStatus status = queue.group(group.groupId());
        TaskRecord join = queue.future(status.joinId()).get(ALL_DONE.toSeconds(), TimeUnit.SECONDS);

        check(run, expected, ids, outcomes, status, join, victim.id(), stranded);
        long lastPart = outcomes.stream().mapToLong(r -> last(r).at()).max().orElse(submittedMs);
        run.verdict().fact("times", "map phase %.1f s (submit to last part, the kill included); join %.2f s",
                (lastPart - submittedMs) / 1e3, (last(join).at() - eventAt(join, TaskState.RUNNING)) / 1e3);
        run.verdict().fact("parts by agent", "%s", outcomes.stream().collect(Collectors.groupingBy(
                r -> r.agent() == null ? "(none)" : r.agent(), TreeMap::new, Collectors.counting())));
    }

    private static void check(SampleRun run, Map<String, Long> expected, List<String> ids, List<TaskRecord> outcomes,
                              GroupStatus status, TaskRecord join, String victim, List<String> stranded)
            throws Exception {
        // The merged result, against the counts made here from the same text.
        String[] result = join.result() == null ? new String[] {"", ""}
                : new String(join.result(), UTF_8).split("\n", 2);
        Map<String, Long> merged = result.length == 2 ? WordCounts.decode(result[1]) : Map.of();
        List<String> differ = Stream.concat(expected.keySet().stream(), merged.keySet().stream()).distinct()
                .sorted().filter(w -> !Objects.equals(expected.get(w), merged.get(w)))
                .map(w -> w + ": " + merged.get(w) + " merged, " + expected.get(w) + " here").toList();
        run.verdict().check("the merged counts equal the counts of the whole text", merged.equals(expected),
                "%d words, %d distinct, merged %d words, %d distinct; top %s%s", WordCounts.total(expected),
                expected.size(), WordCounts.total(merged), merged.size(), WordCounts.top(merged, 5),
                differ.isEmpty() ? "" : "; differ: " + differ.subList(0, Math.min(5, differ.size())));

        // Fan-in: the join ran once (the mappers' own files), after every part, and its input held every part.
        int joinRuns = 0;
        try (Stream<Path> files = Files.list(run.workDir())) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("merges-")).toList()) {
                joinRuns += (int) Files.readAllLines(f, UTF_8).stream().filter(l -> l.startsWith(join.id())).count();
            }
        }
        int partsOk = status.ended().getOrDefault(TaskState.SUCCEEDED, 0);
        String header = result[0];
        run.verdict().check("the join ran once and its input held every part", status.state() == GroupState.ENDED
                        && join.state() == TaskState.SUCCEEDED && partsOk == PARTS && joinRuns == 1
                        && header.equals("parts " + PARTS + " of " + PARTS),
                "group %s; %d of %d parts SUCCEEDED; the join %s at attempt %d on %s, ran %d time(s); it merged %s",
                status.state(), partsOk, PARTS, join.state(), join.attempt(), join.agent(), joinRuns, header);

        // The dead agent's parts: counted again elsewhere. A part whose outcome the agent recorded in its last
        // moment (a transaction already on its way) is not one it left behind: it is told apart, not counted.
        List<String> redone = new ArrayList<>();
        List<String> recordedByVictim = new ArrayList<>();
        for (String id : stranded) {
            TaskRecord r = outcomes.get(ids.indexOf(id));
            if (victim.equals(r.agent()) && r.state() == TaskState.SUCCEEDED) {
                recordedByVictim.add(names(List.of(id), ids));
            } else if (r.state() == TaskState.SUCCEEDED && r.attempt() > 1) {
                redone.add(names(List.of(id), ids) + " on " + r.agent() + " at attempt " + r.attempt());
            }
        }
        run.verdict().check("the killed agent's parts were redone elsewhere", !redone.isEmpty()
                        && redone.size() + recordedByVictim.size() == stranded.size(),
                "%s held %d at the kill, redone %d: %s%s", victim, stranded.size(), redone.size(), redone,
                recordedByVictim.isEmpty() ? "" : "; recorded by " + victim + " as it died: " + recordedByVictim);
    }

    /** The job's text: words drawn from a small vocabulary by a fixed seed, frequent ones first. */
    private static List<String> text() {
        String[] vocabulary = VOCABULARY.split(" ");
        Random random = new Random(12);
        List<String> words = new ArrayList<>(WORDS);
        for (int i = 0; i < WORDS; i++) {
            double r = random.nextDouble();
            words.add(vocabulary[(int) (vocabulary.length * r * r)]);
        }
        return words;
    }

    private static int succeeded(TaskQueue queue, String groupId) {
        return unchecked(() -> queue.group(groupId)).ended().getOrDefault(TaskState.SUCCEEDED, 0);
    }

    /** The tasks assigned to {@code agent} now (claimed or not yet), by ZooKeeper's records. */
    private static List<String> heldBy(TaskQueue queue, String agent) {
        List<String> held = new ArrayList<>();
        for (TaskState state : List.of(TaskState.ASSIGNED, TaskState.RUNNING)) {
            unchecked(() -> queue.list(state, 1000)).stream().filter(r -> agent.equals(r.agent()))
                    .forEach(r -> held.add(r.id()));
        }
        return held;
    }

    /** "part 3, part 7" for member ids (part n is the member at index n - 1). */
    private static String names(List<String> taskIds, List<String> ids) {
        return taskIds.stream().mapToInt(id -> ids.indexOf(id) + 1).sorted().mapToObj(n -> "part " + n)
                .collect(Collectors.joining(", "));
    }

    private static TaskEvent last(TaskRecord r) {
        return r.history().get(r.history().size() - 1);
    }

    /** When the record last entered {@code state}, epoch milliseconds (its last event's time when never). */
    private static long eventAt(TaskRecord r, TaskState state) {
        return r.history().stream().filter(e -> e.state() == state).mapToLong(TaskEvent::at).max()
                .orElse(last(r).at());
    }

    /** A read for a wait condition: a failed read ends the sample, naming what failed. */
    private static <T> T unchecked(Callable<T> read) {
        try {
            return read.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("reading from ZooKeeper failed: " + e.getMessage(), e);
        }
    }
}
