package io.ha.agent.demo;

import io.ha.agent.exec.ExecPayload;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.membership.MembershipListener;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The live demo that {@code bin/ha-demo} runs: distributed tasks surviving the crash of an agent, on one machine
 * with nothing installed but Java.
 *
 * <ol>
 *   <li>starts a ZooKeeper server and three agent processes ({@link DemoFleet}), waits for their READY lines;</li>
 *   <li>submits 100 {@code exec} tasks ({@code sh -c "sleep 0.3-1.0; echo done N"}) as an
 *   {@link ClusterRole#OBSERVER};</li>
 *   <li>once a fifth of them succeeded, kills an agent that runs tasks (not the leader) with SIGKILL;</li>
 *   <li>shows the progress live until all tasks ended, the killed agent's tasks reassigned after its session expired;
 *   </li>
 *   <li>prints a summary from the task records (successes per agent, reassigned tasks, elapsed time).</li>
 * </ol>
 * Exits 0 only when every task SUCCEEDED and nothing it started is left running; otherwise 1 with a clear message
 * (and the work directory with every process's log kept). Every process is stopped on every exit path, Ctrl-C
 * included: agents with SIGTERM (they drain), SIGKILL after a grace, ZooKeeper last.
 *
 * <p>Usage: {@code TaskDemo [--tasks N] [--agents N] [--ci]}; see {@link DemoOptions}.
 */
public final class TaskDemo {
    private static final Duration ZK_READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration AGENTS_READY_TIMEOUT = Duration.ofSeconds(90);
    private static final long TICK_MS = 250;
    /** If no agent but the leader has running tasks this long after the kill point, the leader is killed instead. */
    private static final long PREFER_FOLLOWER_NANOS = 5_000_000_000L;

    private final DemoOptions options;
    private final DemoConsole console;
    private final DemoFleet fleet;
    private final Set<String> reassigned = ConcurrentHashMap.newKeySet();
    private volatile HaCluster observer;
    private DemoProcess victim;
    private double killedAt = -1;
    private volatile double victimLeftAt = -1;
    private boolean cleanedUp;

    private TaskDemo(DemoOptions options, DemoConsole console, DemoFleet fleet) {
        this.options = options;
        this.console = console;
        this.fleet = fleet;
    }

    /** Runs the demo and exits: 0 when every task succeeded and nothing is left running, 1 otherwise, 2 for usage. */
    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(DemoOptions.USAGE);
            System.exit(0);
        }
        DemoOptions options;
        try {
            options = DemoOptions.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            System.err.println("ha-demo: " + e.getMessage());
            System.err.println(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        DemoConsole console = new DemoConsole(System.out, DemoConsole.terminalSupportsLiveBar(options.ci()));
        String home = System.getProperty("ha.home");
        DemoFleet fleet = DemoFleet.create(home == null || home.isBlank() ? null : Path.of(home));
        TaskDemo demo = new TaskDemo(options, console, fleet);
        // Ctrl-C or any other exit: nothing the demo started may outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!demo.isCleanedUp()) {
                console.endProgress();
                console.say("interrupted: stopping everything");
                demo.cleanUp();
            }
        }, "demo-cleanup"));
        int exitCode = 1;
        try {
            demo.run();
            exitCode = 0;
        } catch (Exception e) {
            // After a Ctrl-C the shutdown hook has pulled everything from under this thread: its errors are no news.
            if (!demo.isCleanedUp()) {
                console.endProgress();
                console.say("ERROR: %s", e instanceof DemoFailure ? e.getMessage()
                        : e instanceof InterruptedException ? "interrupted" : "the demo failed: " + e);
            }
        } finally {
            if (!demo.cleanUp()) {
                exitCode = 1;
            }
        }
        if (exitCode == 0) {
            fleet.deleteWorkDir();
            console.say("demo finished OK");
        } else {
            console.say("demo FAILED (exit code 1); the logs of every process are in %s", fleet.workDir());
        }
        System.exit(exitCode);
    }

    private void run() throws Exception {
        console.say("HA task demo: a ZooKeeper server, %d agent processes, %d exec tasks; one agent is killed with "
                + "kill -9 while it runs tasks", options.agents(), options.tasks());
        console.say("logs: %s", fleet.workDir());
        String connect = fleet.startZooKeeper(ZK_READY_TIMEOUT);
        console.say("ZooKeeper is up at %s (pid %d)", connect, fleet.zooKeeper().pid());
        console.say("starting %d agents (session timeout %d s, %d task slots each)...", options.agents(),
                DemoFleet.SESSION_TIMEOUT.toSeconds(), DemoFleet.SLOTS_PER_AGENT);
        List<String> endpoints = fleet.startAgents(options.agents(), connect, AGENTS_READY_TIMEOUT);
        for (int i = 0; i < fleet.agents().size(); i++) {
            DemoProcess agent = fleet.agents().get(i);
            console.say("%s is ready: pid %d, status at http://%s/status", agent.name(), agent.pid(), endpoints.get(i));
        }
        observer = HaCluster.builder().connectString(connect).clusterName(DemoFleet.CLUSTER)
                .agentId("ha-demo-observer").sessionTimeout(DemoFleet.SESSION_TIMEOUT)
                .connectionTimeout(Duration.ofSeconds(5)).role(ClusterRole.OBSERVER)
                .credentials(fleet.credentials()).build().start();
        observer.membership().addListener(new MembershipListener() {
            @Override
            public void left(AgentInfo agent) {
                onLeft(agent);
            }
        });
        awaitClusterFormed();
        TaskQueue queue = observer.taskQueue();
        long submitStart = System.nanoTime();
        List<String> ids = queue.submitAll(specs());
        console.say("submitted %d exec tasks in %d ms (each: sh -c \"sleep 0.3-1.0; echo done N\"); leader: %s",
                ids.size(), (System.nanoTime() - submitStart) / 1_000_000,
                observer.leaderElection().currentLeader().orElse("none yet"));
        double tasksStart = console.elapsedSeconds();
        followUntilDone(queue);
        double tasksEnd = console.elapsedSeconds();
        summarize(queue, tasksEnd - tasksStart);
    }

    private void awaitClusterFormed() throws Exception {
        long deadline = System.nanoTime() + AGENTS_READY_TIMEOUT.toNanos();
        while (observer.membership().size() < options.agents()
                || observer.leaderElection().currentLeader().isEmpty()) {
            checkProcesses();
            if (System.nanoTime() > deadline) {
                throw new DemoFailure("the cluster did not form within " + AGENTS_READY_TIMEOUT.toSeconds()
                        + " s: " + observer.membership().size() + " of " + options.agents() + " agents registered, "
                        + "leader " + observer.leaderElection().currentLeader().orElse("none"));
            }
            observer.membership().awaitSize(options.agents(), Duration.ofMillis(TICK_MS));
        }
    }

    private List<TaskSpec> specs() {
        Random random = new Random();
        List<TaskSpec> specs = new ArrayList<>();
        for (int n = 1; n <= options.tasks(); n++) {
            String sleep = String.format(Locale.ROOT, "%.2f", 0.3 + random.nextDouble() * 0.7);
            // The marker as the shell's $0 puts this run's name into the task's command line, so that the leftover
            // check finds a task process that outlived its agent.
            ExecPayload payload = new ExecPayload(List.of("sh", "-c", "sleep " + sleep + "; echo done " + n,
                    fleet.marker()), Map.of(), null, 60_000);
            // Five attempts: a reassignment after the kill uses one up, and it is not the task's fault.
            specs.add(TaskSpec.builder(ExecPayload.TYPE).payload(payload.toJson()).maxAttempts(5).build());
        }
        return specs;
    }

    /** Polls the queue ~4 times a second, kills the victim at the right moment, shows progress until all ended. */
    private void followUntilDone(TaskQueue queue) throws Exception {
        int total = options.tasks();
        long deadline = System.nanoTime() + Duration.ofSeconds(Math.max(120, total * 2L)).toNanos();
        long killPointPassedAt = -1;
        while (true) {
            Map<TaskState, Long> counts = queue.counts();
            List<TaskRecord> active = new ArrayList<>(queue.list(TaskState.RUNNING, 10_000));
            active.addAll(queue.list(TaskState.ASSIGNED, 10_000));
            active.addAll(queue.list(TaskState.PENDING, 10_000));
            noteReassigned(active);
            long succeeded = counts.get(TaskState.SUCCEEDED);
            long ended = counts.entrySet().stream().filter(e -> e.getKey().isTerminal())
                    .mapToLong(Map.Entry::getValue).sum();
            String killed = victim == null ? null : victim.name();
            long stranded = killed == null ? 0 : active.stream()
                    .filter(r -> r.state() != TaskState.PENDING && killed.equals(r.agent())).count();
            long busy = counts.get(TaskState.RUNNING) + counts.get(TaskState.ASSIGNED) - stranded;
            DemoConsole.Progress progress = new DemoConsole.Progress(total, succeeded, Math.max(0, busy), stranded,
                    killed, counts.get(TaskState.PENDING), ended - succeeded, reassigned.size());
            if (ended >= total) {
                console.progress(progress, true);
                console.endProgress();
                if (victim == null) {
                    console.say("all tasks ended before an agent could be killed with tasks running (too few tasks)");
                }
                return;
            }
            console.progress(progress, false);
            if (victim == null && succeeded >= Math.max(1, total / 5)) {
                if (killPointPassedAt < 0) {
                    killPointPassedAt = System.nanoTime();
                }
                maybeKill(queue, active, System.nanoTime() - killPointPassedAt > PREFER_FOLLOWER_NANOS);
            }
            checkProcesses();
            if (System.nanoTime() > deadline) {
                console.endProgress();
                throw new DemoFailure("only " + succeeded + " of " + total + " tasks succeeded in time; tasks per "
                        + "state: " + counts);
            }
            Thread.sleep(TICK_MS);
        }
    }

    private void noteReassigned(List<TaskRecord> active) {
        List<String> fresh = new ArrayList<>();
        for (TaskRecord r : active) {
            if (TaskTally.reassigned(r) && reassigned.add(r.id())) {
                fresh.add(r.id());
            }
        }
        if (!fresh.isEmpty()) {
            console.say(">>> %d task%s of %s back in the queue with a new attempt, reassigned to live agents: %s",
                    fresh.size(), fresh.size() == 1 ? "" : "s", victim == null ? "a lost agent" : victim.name(),
                    String.join(", ", fresh));
        }
    }

    /** Kills an agent that runs tasks: a follower when one does (the leader keeps dispatching), else the leader. */
    private void maybeKill(TaskQueue queue, List<TaskRecord> active, boolean allowLeader) throws Exception {
        String leader = observer.leaderElection().currentLeader().orElse("");
        Map<String, Long> runningByAgent = active.stream()
                .filter(r -> r.state() == TaskState.RUNNING && r.agent() != null)
                .collect(Collectors.groupingBy(TaskRecord::agent, Collectors.counting()));
        DemoProcess chosen = fleet.agents().stream()
                .filter(a -> a.isAlive() && runningByAgent.containsKey(a.name()))
                .filter(a -> allowLeader || !a.name().equals(leader))
                .max(Comparator.comparingLong(a -> runningByAgent.get(a.name()))).orElse(null);
        if (chosen == null) {
            return;
        }
        // Frozen, the agent writes nothing more: what it holds now is what the kill strands. Its running tasks may have
        // ended since the listing above; then it is thawed and the choice is made again on the next tick.
        chosen.freeze();
        List<String> held = new ArrayList<>();
        for (TaskState s : List.of(TaskState.RUNNING, TaskState.ASSIGNED)) {
            queue.list(s, 10_000).stream().filter(r -> chosen.name().equals(r.agent()))
                    .forEach(r -> held.add(r.id() + (s == TaskState.ASSIGNED ? " (assigned)" : "")));
        }
        if (held.isEmpty()) {
            chosen.thaw();
            return;
        }
        int children = chosen.killTree();
        killedAt = console.elapsedSeconds();
        victim = chosen;
        console.say(">>> kill -9 %s (pid %d%s) while it runs tasks; it holds %d: %s", chosen.name(), chosen.pid(),
                chosen.name().equals(leader) ? ", the leader" : "", held.size(), String.join(", ", held));
        console.say("    its task processes (%d) died with it, as on a crashed machine; its tasks stay assigned to it "
                        + "until ZooKeeper expires its session (%d s), then %s hands them to the others", children,
                DemoFleet.SESSION_TIMEOUT.toSeconds(),
                chosen.name().equals(leader) ? "a newly elected leader" : "the leader " + leader);
    }

    private void onLeft(AgentInfo agent) {
        DemoProcess v = victim;
        if (v != null && v.name().equals(agent.id()) && victimLeftAt < 0) {
            victimLeftAt = console.elapsedSeconds();
            console.say(">>> %s left the cluster: its session expired %.1f s after the kill", agent.id(),
                    victimLeftAt - killedAt);
        }
    }

    /** A process that died on its own (not the victim) would otherwise look like a slow demo. */
    private void checkProcesses() throws DemoFailure {
        DemoProcess zk = fleet.zooKeeper();
        if (zk != null && !zk.isAlive()) {
            throw new DemoFailure("ZooKeeper (pid " + zk.pid() + ") exited with code " + zk.exitCode() + zk.logTail());
        }
        for (DemoProcess agent : fleet.agents()) {
            if (!agent.isAlive() && !agent.wasKilled()) {
                throw new DemoFailure(agent.name() + " (pid " + agent.pid() + ") exited unexpectedly with code "
                        + agent.exitCode() + agent.logTail());
            }
        }
    }

    private void summarize(TaskQueue queue, double taskSeconds) throws Exception {
        List<TaskRecord> succeeded = queue.list(TaskState.SUCCEEDED, 10_000);
        List<TaskRecord> all = new ArrayList<>(succeeded);
        for (TaskState s : List.of(TaskState.FAILED, TaskState.DEAD, TaskState.CANCELLED)) {
            all.addAll(queue.list(s, 10_000));
        }
        List<String> agentIds = fleet.agents().stream().map(DemoProcess::name).toList();
        console.say("==== summary ==========================================================================");
        console.say("  tasks       : %d of %d succeeded", succeeded.size(), options.tasks());
        TaskTally.succeededPerAgent(succeeded, agentIds).forEach((agent, n) -> console.say("  %-12s: %3d succeeded%s",
                agent, n, victim != null && victim.name().equals(agent)
                        ? String.format(Locale.ROOT, "   (killed with kill -9 at %.1f s)", killedAt) : ""));
        console.say("  reassigned  : %s", TaskTally.describeReassigned(all));
        if (victim != null && victimLeftAt >= 0) {
            console.say("  takeover    : %s's session expired %.1f s after the kill (session timeout %d s)",
                    victim.name(), victimLeftAt - killedAt, DemoFleet.SESSION_TIMEOUT.toSeconds());
        }
        console.say("  elapsed     : %.1f s in all; %.1f s from submit to the last task's end",
                console.elapsedSeconds(), taskSeconds);
        console.say("========================================================================================");
        if (succeeded.size() != options.tasks()) {
            String example = all.stream().filter(r -> r.state() != TaskState.SUCCEEDED).findFirst()
                    .map(r -> "; for example " + r.id() + " is " + r.state() + ": " + r.lastError()).orElse("");
            throw new DemoFailure("only " + succeeded.size() + " of " + options.tasks() + " tasks succeeded"
                    + example);
        }
    }

    private synchronized boolean isCleanedUp() {
        return cleanedUp;
    }

    /**
     * Stops the observer, the agents and ZooKeeper, then checks that nothing of this run is left. Runs once: from
     * {@code main} on every exit path, and from the shutdown hook on Ctrl-C. Returns false when something was left.
     */
    private synchronized boolean cleanUp() {
        if (cleanedUp) {
            return true;
        }
        cleanedUp = true;
        console.endProgress();
        // Closed first: the agents' planned departures are not news.
        HaCluster o = observer;
        if (o != null) {
            o.close();
        }
        if (fleet.agents().stream().anyMatch(DemoProcess::isAlive)) {
            console.say("stopping the agents with SIGTERM (they drain: running tasks finish), then ZooKeeper");
        }
        fleet.stopAll().forEach(line -> console.say("  %s", line));
        List<String> leftovers = fleet.leftovers();
        if (!leftovers.isEmpty()) {
            console.say("ERROR: processes of this run were left behind (now killed): %s", String.join("; ", leftovers));
            fleet.killLeftovers();
            return false;
        }
        console.say("nothing left behind: pgrep -fa %s finds no process", fleet.marker());
        return true;
    }
}
