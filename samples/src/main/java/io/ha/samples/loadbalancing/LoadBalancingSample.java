/*
 * Sample "load-balancing": membership by ephemeral znodes instead of a heartbeat socket, and one task stream placed
 * round-robin, least-loaded and capacity-weighted over agents of 1, 2 and 4 slots.
 *
 * Guarantee shown: an agent's membership lives exactly as long as its ZooKeeper session: an agent killed with kill -9
 * leaves the membership within the session timeout (plus a little slack), without any heartbeat code of its own, and a
 * restarted agent joins again under the same id. Under each of the three placements every task of the stream
 * succeeds and its outcome is recorded once, and no agent ever runs more tasks at once than its slots: the leader
 * only offers a task to an agent with a free slot.
 * Not shown (not guaranteed): which placement is fastest, or that a run repeats the counts; both depend on when slots
 * free up on a shared machine, so they are reported as facts. That a killed agent vanishes at once: until its session
 * times out, nobody can tell a dead agent from a slow one.
 */
package io.ha.samples.loadbalancing;

import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.samples.Sample;
import io.ha.samples.SampleFailure;
import io.ha.samples.SampleProcess;
import io.ha.samples.SampleRun;
import io.ha.samples.loadbalancing.StrategyRound.Job;
import io.ha.samples.loadbalancing.StrategyRound.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/** See the comment at the top of this file. */
public final class LoadBalancingSample implements Sample {
    /** Agent id to its slots: a small, a middle and a big machine. */
    private static final Map<String, Integer> SLOTS = Map.of("agent-1", 1, "agent-2", 2, "agent-3", 4);
    private static final List<String> AGENTS = List.of("agent-1", "agent-2", "agent-3");
    private static final String VICTIM = "agent-2";
    private static final int TASKS = 40;
    private static final long SEED = 12;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** Beyond the session timeout: the server checks for expired sessions once per tick, then the watch fires. */
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static final Duration GONE_WAIT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "load-balancing";
    }

    @Override
    public String shows() {
        return "membership by ephemeral znodes (an agent killed -9 leaves, a restarted one rejoins), and one task"
                + " stream placed round-robin, least-loaded and capacity-weighted: per-agent counts and makespans";
    }

    @Override
    public void run(SampleRun run) throws Exception {
        // 1. Three agent machines with 1, 2 and 4 slots. Each holds an ephemeral znode under /agents in the sample's
        //    cluster, and one more in each placement's cluster (used in step 4).
        List<SampleProcess> agents = new ArrayList<>();
        for (String id : AGENTS) {
            agents.add(run.node(id, SlotAgent.class, "--slots", Integer.toString(SLOTS.get(id))));
        }
        HaCluster observer = run.observer();
        run.await(AGENTS.size() + " agents to join", STARTUP, () -> observer.membership().size() == AGENTS.size());
        run.say("membership (%s/agents): %s", observer.clusterPath(), describe(observer.membership().list()));

        // 2. kill -9 one agent: no goodbye. ZooKeeper sees its connection drop but keeps the session (a client may
        //    reconnect, to this server or another) until no ping came for the session timeout; then it expires the
        //    session, deletes the agent's ephemeral znode, and every watcher of /agents learns that it left.
        SampleProcess victim = agents.get(AGENTS.indexOf(VICTIM));
        long timeoutMs = Long.parseLong(victim.awaitLine("session timeout (\\d+) ms", STARTUP).group(1));
        long oldPid = victim.pid();
        long killedAt = System.nanoTime();
        victim.kill();
        run.say("killed %s (kill -9, pid %d); it is still listed until its session expires", VICTIM, oldPid);
        boolean gone = run.within(GONE_WAIT, () -> !observer.membership().isAlive(VICTIM));
        long goneMs = (System.nanoTime() - killedAt) / 1_000_000;
        run.say("%s left the membership %.1f s after the kill: %s", VICTIM, goneMs / 1000.0,
                describe(observer.membership().list()));
        run.verdict().check("a killed agent left the membership within the session timeout", gone
                        && goneMs <= timeoutMs + SLACK.toMillis(),
                "%s was listed for %.1f s after kill -9 (session timeout %d ms + %d s slack)", VICTIM, goneMs / 1000.0,
                timeoutMs, SLACK.toSeconds());

        // 3. A replacement machine with the same id joins again: a new process, a new session, a new znode.
        SampleProcess replacement = run.node(VICTIM, SlotAgent.class, "--slots", Integer.toString(SLOTS.get(VICTIM)));
        boolean back = run.within(STARTUP, () -> observer.membership().get(VICTIM)
                .map(a -> a.pid() == replacement.pid()).orElse(false));
        run.say("membership: %s", describe(observer.membership().list()));
        run.verdict().check("the restarted agent joined again", back, "%s is %s (pid %d before the kill)", VICTIM,
                observer.membership().get(VICTIM).map(a -> "listed with pid " + a.pid()).orElse("not listed"),
                oldPid);

        // 4. The same stream of tasks, of varying length, under each placement, each in its cluster of its own.
        List<Job> stream = stream();
        long unhindered = stream.stream().mapToLong(j -> j.atMillis() + j.durationMillis()).max().orElse(0);
        run.say("stream: %d tasks, one every %d ms on average, each running %d-%d ms; %.2f s from the first submit to"
                        + " the last end if no task ever waited", stream.size(),
                stream.get(stream.size() - 1).atMillis() / (stream.size() - 1),
                stream.stream().mapToLong(Job::durationMillis).min().orElse(0),
                stream.stream().mapToLong(Job::durationMillis).max().orElse(0), unhindered / 1000.0);
        List<Result> results = new ArrayList<>();
        for (Placement placement : Placement.values()) {
            Result r = StrategyRound.play(run, placement, stream, AGENTS.size());
            run.say("%s: %d of %d outcomes in, makespan %.2f s", placement.label(), r.succeeded(), r.submitted(),
                    r.makespanMillis() / 1000.0);
            results.add(r);
        }

        // 5. The table, then the guarantee: every outcome recorded once, no agent beyond its slots.
        run.say("%-18s %s makespan", "placement", AGENTS.stream().map(a -> String.format("%-19s",
                a + " (" + slots(SLOTS.get(a)) + ")")).collect(Collectors.joining()));
        for (Result r : results) {
            run.say("%-18s %s %.2f s", r.placement().label(), AGENTS.stream().map(a -> String.format("%-19s",
                    String.format("%2d tasks, peak %d", r.perAgent().getOrDefault(a, 0), r.peak().getOrDefault(a, 0))))
                    .collect(Collectors.joining()), r.makespanMillis() / 1000.0);
        }
        run.say("under every placement the leader offers a task only to an agent with a free slot: a task waits only"
                + " while every slot is busy, never behind another on a busy agent; with slots alike, the makespan"
                + " follows the stream and the placement decides who runs what");
        run.verdict().check("every task of every round succeeded, recorded once", results.stream()
                        .allMatch(r -> r.succeeded() == TASKS && r.recorded() == TASKS),
                "%s", results.stream().map(r -> String.format("%s %d/%d SUCCEEDED (%d records, %d retried)",
                        r.placement().label(), r.succeeded(), r.submitted(), r.recorded(), r.retried()))
                        .collect(Collectors.joining("; ")));
        run.verdict().check("no agent ever ran more tasks at once than its slots", results.stream().allMatch(r ->
                        r.peak().entrySet().stream().allMatch(e -> e.getValue() <= SLOTS.getOrDefault(e.getKey(), 0))),
                "tasks at once/slots: %s", results.stream().map(r -> r.placement().label() + " " + r.peak()
                        .entrySet().stream().map(e -> e.getKey() + " " + e.getValue() + "/"
                                + SLOTS.getOrDefault(e.getKey(), 0)).collect(Collectors.joining(", ")))
                        .collect(Collectors.joining("; ")));
        for (Result r : results) {
            run.verdict().fact(r.placement().label(), "%s, makespan %.2f s", row(r), r.makespanMillis() / 1000.0);
        }
        Result fastest = results.stream().min(java.util.Comparator.comparingLong(Result::makespanMillis))
                .orElseThrow(() -> new SampleFailure("no round was played"));
        run.verdict().fact("the stream's own makespan", "%.2f s (no task waiting, no dispatch delay)",
                unhindered / 1000.0);
        run.verdict().fact("fastest this run", "%s (timing on a shared machine: not a guarantee)",
                fastest.placement().label());
    }

    /** The task stream, the same for every placement: seeded arrival gaps (30-150 ms) and lengths (100-500 ms). */
    private static List<Job> stream() {
        Random random = new Random(SEED);
        List<Job> jobs = new ArrayList<>();
        long at = 0;
        for (int i = 0; i < TASKS; i++) {
            jobs.add(new Job(at, 100 + random.nextInt(401)));
            at += 30 + random.nextInt(121);
        }
        return jobs;
    }

    private static String row(Result r) {
        return AGENTS.stream().map(a -> a + "=" + r.perAgent().getOrDefault(a, 0)).collect(Collectors.joining(" "));
    }

    private static String describe(List<AgentInfo> agents) {
        return agents.stream().map(a -> a.id() + " (pid " + a.pid() + ", " + slots(a.capacity()) + ")")
                .collect(Collectors.joining(", "));
    }

    private static String slots(int n) {
        return n == 1 ? "1 slot" : n + " slots";
    }
}
