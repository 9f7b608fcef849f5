package io.ha.chaos.fault;

import io.ha.chaos.fleet.ChaosFleet;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects faults one at a time until a deadline: in rounds, each round every enabled kind once in an order drawn
 * from the seeded random, with a random target and a random gap between faults. A fault is over only when what it
 * broke is whole again (the agent registered, the ensemble serving with every server), so no two faults overlap.
 *
 * <p>Guarantee: the same seed gives the same sequence of kinds, targets and gaps. Not guaranteed: the same timing
 * (processes start and expire sessions at the machine's pace).
 */
public final class FaultInjector {
    private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);
    /** How long a server or a quorum stays down. */
    private static final Duration SERVER_DOWN = Duration.ofSeconds(3);
    /** A drain's grace before SIGKILL: the agents' drain timeout (5 s) and their hand-back. */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(30);
    /** In a fault's detail: the agent's session ended as the fault meant it to. */
    public static final String EXPIRED = "session expired";
    /** In a fault's detail: the agent's session outlived the pause or the partition (the fault had no effect). */
    public static final String NOT_EXPIRED = "session NOT expired";

    private final ChaosFleet fleet;
    private final Random random;
    private final List<FaultKind> kinds;
    private final Consumer<Fault> onFault;
    private final Duration beyondSession;
    private final long startedAt;

    /**
     * @param onFault told of each fault once it is over (the console line)
     */
    public FaultInjector(ChaosFleet fleet, long seed, List<FaultKind> kinds, long startedAt, Consumer<Fault> onFault) {
        this.fleet = fleet;
        this.random = new Random(seed);
        this.kinds = List.copyOf(kinds);
        this.onFault = onFault;
        this.startedAt = startedAt;
        // Long enough past the session timeout that the servers expire the session: their expiry check runs once a
        // tick, and a busy machine is late.
        this.beyondSession = fleet.sessionTimeout().plusSeconds(2);
    }

    /**
     * Injects faults until {@code untilMs}: none starts after it, except that the first round always completes, so
     * even a short run injects every enabled kind at least once (the last fault may end after the deadline).
     */
    public List<Fault> run(long untilMs) throws Exception {
        List<Fault> faults = new ArrayList<>();
        for (int n = 0; ; n++) {
            List<FaultKind> round = new ArrayList<>(kinds);
            Collections.shuffle(round, random);
            for (FaultKind kind : round) {
                sleep(Duration.ofMillis(1000 + random.nextInt(2000)));
                if (n > 0 && System.currentTimeMillis() >= untilMs) {
                    return faults;
                }
                Fault f = inject(kind);
                faults.add(f);
                onFault.accept(f);
            }
        }
    }

    private Fault inject(FaultKind kind) throws Exception {
        List<String> ids = fleet.agentIds();
        String agent = ids.get(random.nextInt(ids.size()));
        if ((kind == FaultKind.AGENT_PAUSE || kind == FaultKind.AGENT_PARTITION) && random.nextBoolean()) {
            // Half of the pauses and partitions hit the leader: a deposed leader that does not know it yet is the
            // zombie the fenced store must refuse.
            agent = leader().orElse(agent);
        }
        int server = 1 + random.nextInt(fleet.ensemble().size());
        long at = System.currentTimeMillis();
        LOG.info("fault {} at +{} ms", kind.label(), at - startedAt);
        return switch (kind) {
            case AGENT_KILL -> {
                List<String> held = heldBy(agent);
                long t = System.currentTimeMillis();
                fleet.kill(agent);
                fleet.restart(agent);
                yield new Fault(kind, agent, t, System.currentTimeMillis(), held, "");
            }
            case AGENT_PAUSE -> {
                List<String> held = heldBy(agent);
                long t = System.currentTimeMillis();
                fleet.suspend(agent);
                String expiry = holdAndWatchExpiry(agent, t);
                fleet.resume(agent);
                yield new Fault(kind, agent, t, rejoin(agent), held, "stopped " + beyondSession.toMillis() + " ms, "
                        + expiry);
            }
            case AGENT_PARTITION -> {
                List<String> held = heldBy(agent);
                long t = System.currentTimeMillis();
                fleet.partition(agent);
                String expiry = holdAndWatchExpiry(agent, t);
                fleet.heal(agent);
                yield new Fault(kind, agent, t, rejoin(agent), held, "cut off " + beyondSession.toMillis() + " ms, "
                        + expiry);
            }
            case AGENT_DRAIN -> {
                int code = fleet.terminate(agent, DRAIN_GRACE);
                fleet.restart(agent);
                yield new Fault(kind, agent, at, System.currentTimeMillis(), List.of(),
                        code < 0 ? "did not stop within " + DRAIN_GRACE.toSeconds() + " s: killed" : "exit " + code);
            }
            case ZK_KILL -> {
                OptionalInt leader = fleet.ensemble().leader();
                if (leader.isPresent() && leader.getAsInt() == server) {
                    server = server % fleet.ensemble().size() + 1;
                }
                fleet.ensemble().kill(server);
                sleep(SERVER_DOWN);
                fleet.awaitWholeEnsemble();
                yield new Fault(kind, "zk-" + server, at, System.currentTimeMillis(), List.of(), "");
            }
            case ZK_LEADER_KILL -> {
                OptionalInt killed = fleet.ensemble().killLeader();
                sleep(SERVER_DOWN);
                fleet.awaitWholeEnsemble();
                yield new Fault(kind, killed.isPresent() ? "zk-" + killed.getAsInt() : "none", at,
                        System.currentTimeMillis(), List.of(), killed.isPresent() ? "" : "no leader to kill");
            }
            case QUORUM_LOSS -> {
                List<Integer> stopped = fleet.ensemble().loseQuorum();
                sleep(SERVER_DOWN);
                fleet.awaitWholeEnsemble();
                yield new Fault(kind, String.join(",", stopped.stream().map(i -> "zk-" + i).toList()), at,
                        System.currentTimeMillis(), List.of(), "");
            }
        };
    }

    /**
     * Holds a pause or a partition for {@link #beyondSession} from {@code since}, watching the agent's registration:
     * returns {@link #EXPIRED} and when, or {@link #NOT_EXPIRED} when the fault did not end its session (a partition
     * that did not cut the agent off: the run reports it as a fault without effect).
     */
    private String holdAndWatchExpiry(String agent, long since) throws InterruptedException {
        boolean gone = fleet.awaitAlive(agent, false, beyondSession);
        long expiredAfter = System.currentTimeMillis() - since;
        long left = since + beyondSession.toMillis() - System.currentTimeMillis();
        if (left > 0) {
            sleep(Duration.ofMillis(left));
        }
        return gone ? EXPIRED + " after " + expiredAfter + " ms" : NOT_EXPIRED;
    }

    /** Waits for the agent to register again after a fault; one that does not in time is restarted. */
    private long rejoin(String agent) throws Exception {
        if (!fleet.awaitAlive(agent, true, fleet.sessionTimeout().multipliedBy(3).plusSeconds(20))) {
            LOG.warn("agent {} did not rejoin after the fault: restarting it", agent);
            fleet.restart(agent);
        }
        return System.currentTimeMillis();
    }

    private java.util.Optional<String> leader() {
        try {
            return fleet.observer().leaderElection().currentLeader().filter(ids -> fleet.agentIds().contains(ids));
        } catch (Exception e) {
            // No leader known now (an election under way): the random target stands.
            return java.util.Optional.empty();
        }
    }

    /** The tasks the observer sees assigned to or running on {@code agent} now. */
    private List<String> heldBy(String agent) {
        List<String> held = new ArrayList<>();
        try {
            for (TaskState s : List.of(TaskState.ASSIGNED, TaskState.RUNNING)) {
                for (TaskRecord r : fleet.observer().taskQueue().list(s, 1000)) {
                    if (agent.equals(r.agent())) {
                        held.add(r.id());
                    }
                }
            }
        } catch (Exception e) {
            // Without the list the fault still happens; only its reassignment time is not measured.
            LOG.info("cannot list the tasks of {}: {}", agent, e.toString());
        }
        return held;
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }
}
