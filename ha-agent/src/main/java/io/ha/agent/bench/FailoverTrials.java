package io.ha.agent.bench;

import io.ha.agent.exec.ExecPayload;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The trials of section {@code failover} on one cluster of {@link BenchAgent} processes: keeps at least
 * {@code minAlive} agents running (starting new ones, with new ids, between trials), checks before each trial that
 * every agent is accepting and a probe task runs end to end, then kills or stops one agent and times what follows.
 * Probe tasks are exec tasks running {@code true}; the tasks that must move after an agent kill run {@code sleep} and
 * are cancelled once timed. Not thread-safe: the section runs it from one thread.
 */
final class FailoverTrials implements AutoCloseable {
    static final String CLUSTER = "bench-failover";
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int AGENT_CONCURRENCY = 4;
    private static final int PROBES = 3;

    /**
     * One timed trial.
     *
     * @param ms           from the kill or stop to the moment measured
     * @param electedMs    from the kill or stop to the successor's ELECTED line, -1 when not seen (or no successor)
     * @param dispatcherMs from the kill or stop to the successor's "dispatcher started" line, -1 when not seen
     * @param leftMs       from the kill or stop to the first LEFT line for the agent in any other agent's log (its
     *                     session expired, or it deregistered), -1 when not seen
     */
    record Trial(double ms, double electedMs, double dispatcherMs, double leftMs) {
    }

    private final String connect;
    private final Path dir;
    private final Duration session;
    private final int minAlive;
    private final PeerResults results;
    private final HaCluster observer;
    private final TaskQueue queue;
    private final List<BenchAgent> agents = new ArrayList<>();
    private final List<BenchAgent> gone = new ArrayList<>();
    private int nextId = 1;

    FailoverTrials(String connect, Path dir, Duration session, int minAlive, PeerResults results) throws Exception {
        this.connect = connect;
        this.dir = dir;
        this.session = session;
        this.minAlive = minAlive;
        this.results = results;
        this.observer = FailoverPeerSection.observer(connect, CLUSTER);
        this.queue = observer.taskQueue();
    }

    /** Starts {@code n} agents at once and waits until each is READY. */
    void startAgents(int n) throws Exception {
        List<BenchAgent> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BenchAgent a = BenchAgent.start(connect, CLUSTER, "fa" + nextId++, dir, session, AGENT_CONCURRENCY);
            agents.add(a);
            started.add(a);
        }
        for (BenchAgent a : started) {
            a.awaitReady(READY);
        }
    }

    /** The session timeout the server granted the agents, from their own log line (the asked one if not seen). */
    long grantedSessionMs() {
        List<BenchAgent> all = new ArrayList<>(gone);
        all.addAll(agents);
        return all.stream().map(BenchAgent::grantedSessionMs).filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong).max().orElse(session.toMillis());
    }

    /** kill -9 of the leader to the first task assigned by its successor. */
    Trial leaderKill(int trial) throws Exception {
        BenchAgent leader = prepare();
        long epoch = observer.leaderElection().currentEpoch();
        long t0 = System.currentTimeMillis();
        leader.kill();
        List<String> probes = probesAfter(leader.id());
        long assigned = firstAssignment(probes, epoch);
        Trial r = withSteps(assigned - t0, t0, leader.id());
        retire(leader);
        awaitSucceeded(probes);
        report("leader kill -9", trial, leader.id(), r);
        return r;
    }

    /** kill -9 of an agent that does not lead to all of its running tasks running on other agents. */
    Trial agentKill(int trial) throws Exception {
        BenchAgent leader = prepare();
        List<String> ids = queue.submitAll(Collections.nCopies(2 * agents.size(), exec(List.of("sleep", "60"), 5)));
        List<TaskRecord> running = awaitState(ids, Set.of(TaskState.RUNNING), null);
        Map<String, Long> perAgent = running.stream().collect(Collectors.groupingBy(TaskRecord::agent,
                Collectors.counting()));
        BenchAgent victim = agents.stream().filter(a -> a != leader && perAgent.containsKey(a.id()))
                .max((x, y) -> Long.compare(perAgent.get(x.id()), perAgent.get(y.id())))
                .orElseThrow(() -> new BenchException("failover: no agent but the leader runs any of " + ids.size()
                        + " tasks: " + perAgent));
        List<String> moved = running.stream().filter(r -> r.agent().equals(victim.id())).map(TaskRecord::id).toList();
        long t0 = System.currentTimeMillis();
        victim.kill();
        List<TaskRecord> elsewhere = awaitState(moved, Set.of(TaskState.RUNNING), victim.id());
        long last = -1;
        for (TaskRecord m : elsewhere) {
            last = Math.max(last, lastEvent(m, TaskState.RUNNING));
        }
        Trial r = new Trial(last - t0, -1, -1, left(victim.id(), t0));
        retire(victim);
        for (String id : ids) {
            queue.cancel(id);
        }
        for (String id : ids) {
            queue.await(id, WAIT);
        }
        report("agent kill -9 (" + moved.size() + " running tasks)", trial, victim.id(), r);
        return r;
    }

    /** SIGTERM of the leader to the first task assigned by its successor. */
    Trial gracefulLeaderStop(int trial) throws Exception {
        BenchAgent leader = prepare();
        long epoch = observer.leaderElection().currentEpoch();
        long t0 = System.currentTimeMillis();
        leader.terminate();
        List<String> probes = probesAfter(leader.id());
        long assigned = firstAssignment(probes, epoch);
        Trial r = withSteps(assigned - t0, t0, leader.id());
        leader.awaitExit(WAIT);
        retire(leader);
        awaitSucceeded(probes);
        report("leader SIGTERM", trial, leader.id(), r);
        return r;
    }

    /** Tops the agents up, waits until all accept tasks and a probe runs; returns the leader. */
    private BenchAgent prepare() throws Exception {
        agents.removeIf(a -> !a.isAlive());
        if (agents.size() < minAlive) {
            startAgents(minAlive - agents.size());
        }
        Set<String> ids = agents.stream().map(BenchAgent::id).collect(Collectors.toSet());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<AgentInfo> seen = observer.membership().list();
            Optional<String> leader = observer.leaderElection().currentLeader();
            if (seen.size() == ids.size() && seen.stream().allMatch(a -> a.accepting() && ids.contains(a.id()))
                    && leader.isPresent() && ids.contains(leader.get())) {
                awaitSucceeded(queue.submitAll(List.of(exec(List.of("true"), 3))));
                String id = leader.get();
                return agents.stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
            }
            if (System.nanoTime() > deadline) {
                throw new BenchException("failover: agents " + ids + " not all accepting with a leader among them "
                        + "within " + WAIT.toSeconds() + " s; membership " + seen + ", leader " + leader);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Submits the probes once {@code old} no longer leads (its election node is gone). Not sooner: a leader that was
     * told to stop dispatches until it leaves the election (it stops its services first, then deletes its node), and a
     * probe it assigns says nothing of its successor.
     */
    private List<String> probesAfter(String old) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (observer.leaderElection().currentLeader().filter(old::equals).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new BenchException("failover: " + old + " still leads " + WAIT.toSeconds() + " s after it was "
                        + "killed or stopped");
            }
            Thread.sleep(2);
        }
        return queue.submitAll(probes());
    }

    private Trial withSteps(long ms, long t0, String old) throws Exception {
        Optional<String> successor = observer.leaderElection().currentLeader();
        BenchAgent s = successor.flatMap(id -> agents.stream().filter(a -> a.id().equals(id)).findFirst())
                .orElse(null);
        long elected = s == null ? -1 : s.markAfter(t0, " ELECTED ").orElse(-1);
        long dispatcher = s == null ? -1 : s.markAfter(t0, "dispatcher started for epoch").orElse(-1);
        return new Trial(ms, elected < 0 ? -1 : elected - t0, dispatcher < 0 ? -1 : dispatcher - t0, left(old, t0));
    }

    private double left(String agent, long t0) {
        return agents.stream().filter(a -> !a.id().equals(agent))
                .map(a -> a.markAfter(t0, " LEFT ", "agent " + agent)).filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong).min().stream().mapToDouble(at -> at - t0).findFirst().orElse(-1);
    }

    /** The earliest assignment of any probe by a leader of an epoch after {@code epoch}, as its record says. */
    private long firstAssignment(List<String> probes, long epoch) throws Exception {
        List<TaskRecord> started = awaitState(probes, Set.of(TaskState.RUNNING, TaskState.SUCCEEDED), null);
        long first = Long.MAX_VALUE;
        for (TaskRecord r : started) {
            if (r.epoch() <= epoch) {
                throw new BenchException("failover: probe " + r.id() + " was assigned in epoch " + r.epoch()
                        + ", not after epoch " + epoch + " (the old leader's)");
            }
            first = Math.min(first, lastEvent(r, TaskState.ASSIGNED));
        }
        return first;
    }

    /**
     * Polls the records of {@code ids} until each is in one of {@code states} (and, when {@code notOn} is given, on
     * another agent than {@code notOn}); returns them.
     */
    private List<TaskRecord> awaitState(List<String> ids, Set<TaskState> states, String notOn) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<TaskRecord> ok = new ArrayList<>();
            for (String id : ids) {
                TaskRecord r = queue.get(id).orElseThrow(() -> new BenchException("task " + id + " vanished"));
                if (states.contains(r.state()) && (notOn == null || !notOn.equals(r.agent()))) {
                    ok.add(r);
                }
            }
            if (ok.size() == ids.size()) {
                return ok;
            }
            if (System.nanoTime() > deadline) {
                throw new BenchException("failover: only " + ok.size() + " of " + ids.size() + " tasks " + states
                        + (notOn == null ? "" : " elsewhere than " + notOn) + " within " + WAIT.toSeconds() + " s");
            }
            Thread.sleep(5);
        }
    }

    private static long lastEvent(TaskRecord r, TaskState state) throws BenchException {
        long at = -1;
        for (TaskEvent e : r.history()) {
            if (e.state() == state) {
                at = e.at();
            }
        }
        if (at < 0) {
            throw new BenchException("task " + r.id() + " has no " + state + " event in its history: " + r.history());
        }
        return at;
    }

    private void awaitSucceeded(List<String> ids) throws Exception {
        for (String id : ids) {
            TaskRecord r = queue.await(id, WAIT);
            if (r.state() != TaskState.SUCCEEDED) {
                throw new BenchException("failover: probe " + id + " ended " + r.state() + ": " + r.lastError());
            }
        }
    }

    private void retire(BenchAgent agent) throws Exception {
        agent.awaitExit(WAIT);
        agents.remove(agent);
        gone.add(agent);
        agent.close();
    }

    private void report(String what, int trial, String agent, Trial r) {
        results.progress(String.format(Locale.ROOT, "failover: %s of %s, trial %d: %.0f ms (left seen at %.0f%s)",
                what, agent, trial, r.ms(), r.leftMs(), r.electedMs() < 0 ? "" : String.format(Locale.ROOT,
                        ", elected at %.0f, dispatcher at %.0f", r.electedMs(), r.dispatcherMs())));
    }

    private static List<TaskSpec> probes() {
        return Collections.nCopies(PROBES, exec(List.of("true"), 3));
    }

    private static TaskSpec exec(List<String> command, int maxAttempts) {
        return TaskSpec.builder(ExecPayload.TYPE).payload(new ExecPayload(command, Map.of(), null, 0).toJson())
                .maxAttempts(maxAttempts).build();
    }

    @Override
    public void close() {
        agents.forEach(BenchAgent::close);
        gone.forEach(BenchAgent::close);
        observer.close();
    }
}
