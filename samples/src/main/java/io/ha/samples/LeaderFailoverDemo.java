package io.ha.samples;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.EmbeddedZooKeeper;
import io.ha.core.cluster.HaCluster;
import io.ha.core.leader.LeaderElection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live demo that {@code bin/ha-demo} runs: leader failover on one machine with nothing installed but Java.
 *
 * <ol>
 *   <li>starts an embedded ZooKeeper and three {@link DemoMember} processes, which elect a leader;</li>
 *   <li>lets the leader work, then kills its process with SIGKILL ({@code kill -9}: no shutdown hook runs, its
 *   ZooKeeper session is left to expire);</li>
 *   <li>waits for a survivor to take over with a higher leader epoch, and prints how long that took;</li>
 *   <li>stops everything it started and exits 0, or exits 1 with a clear message when no takeover happens in time.
 *   </li>
 * </ol>
 * This process watches as a {@link ClusterRole#OBSERVER}: it sees membership and leadership but never leads. Every
 * member process is stopped on every exit path (normal end, failure, Ctrl-C); members also exit on their own when
 * this process dies.
 *
 * <p>Usage: {@code LeaderFailoverDemo [--takeover-timeout <seconds>]} (default 60).
 */
public final class LeaderFailoverDemo {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderFailoverDemo.class);

    private static final int MEMBERS = 3;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LEADER_WORK = Duration.ofSeconds(3);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);

    private final Narrator narrator = new Narrator(System.out);
    private final Duration takeoverTimeout;
    private final List<SampleProcess> members = new CopyOnWriteArrayList<>();
    private volatile EmbeddedZooKeeper zooKeeper;
    private volatile HaCluster observer;
    private boolean cleanedUp;

    /** The leader as the observer saw it, with the epoch of its term. */
    private record Leader(String id, long epoch) {
    }

    /** The demo cannot go on; the message says why, for the console. */
    private static final class DemoFailure extends Exception {
        DemoFailure(String message) {
            super(message);
        }
    }

    private LeaderFailoverDemo(Duration takeoverTimeout) {
        this.takeoverTimeout = takeoverTimeout;
    }

    public static void main(String[] args) {
        LeaderFailoverDemo demo = new LeaderFailoverDemo(parseTakeoverTimeout(args));
        // Ctrl-C or any other exit: no member process may outlive the demo.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!demo.isCleanedUp()) {
                demo.narrator.say("interrupted: cleaning up");
                demo.cleanUp();
            }
        }, "demo-cleanup"));
        int exitCode = 1;
        try {
            demo.run();
            exitCode = 0;
        } catch (DemoFailure e) {
            demo.narrator.say("ERROR: %s", e.getMessage());
        } catch (InterruptedException e) {
            demo.narrator.say("ERROR: interrupted");
        } catch (Exception e) {
            LOG.error("the demo failed", e);
            demo.narrator.say("ERROR: %s", e);
        } finally {
            demo.cleanUp();
        }
        demo.narrator.say(exitCode == 0 ? "demo finished OK" : "demo FAILED (exit code %d)", exitCode);
        System.exit(exitCode);
    }

    private static Duration parseTakeoverTimeout(String[] args) {
        if (args.length == 0) {
            return Duration.ofSeconds(60);
        }
        if (args.length == 2 && args[0].equals("--takeover-timeout") && args[1].matches("[1-9][0-9]{0,4}")) {
            return Duration.ofSeconds(Integer.parseInt(args[1]));
        }
        System.err.println("usage: ha-demo [--takeover-timeout <seconds>]   (default 60)");
        System.exit(2);
        throw new AssertionError("unreachable");
    }

    private void run() throws Exception {
        narrator.say("HA leader failover demo: embedded ZooKeeper, %d member processes, then kill -9 of the leader",
                MEMBERS);
        zooKeeper = EmbeddedZooKeeper.start();
        String connectString = zooKeeper.connectString();
        narrator.say("ZooKeeper is up at %s", connectString);

        for (int i = 1; i <= MEMBERS; i++) {
            SampleProcess member = SampleProcess.spawn("member-" + i, DemoMember.class.getName(),
                    // The member narrates its own elections; its INFO log lines would only repeat them.
                    List.of("-Dha.log.level=WARN"), List.of("--zk", connectString, "--id", "member-" + i), narrator);
            members.add(member);
            narrator.say("started %s as pid %d", member.id(), member.pid());
        }
        observer = HaCluster.builder()
                .connectString(connectString)
                .clusterName(DemoMember.CLUSTER)
                .agentId("demo-observer")
                .sessionTimeout(DemoMember.SESSION_TIMEOUT)
                .connectionTimeout(DemoMember.CONNECTION_TIMEOUT)
                .role(ClusterRole.OBSERVER)
                .build()
                .start();

        awaitMembers();
        Leader first = awaitLeader(null, 0, STARTUP_TIMEOUT, "no leader was elected");
        printStatus(first);
        narrator.say("letting %s do leader-only work for %d s", first.id(), LEADER_WORK.toSeconds());
        Thread.sleep(LEADER_WORK.toMillis());

        SampleProcess victim = member(first.id());
        narrator.say(">>> killing the leader %s (pid %d) with SIGKILL", victim.id(), victim.pid());
        double killedAt = narrator.elapsedSeconds();
        victim.kill();
        narrator.say(">>> %s (pid %d) was kill -9'd: no shutdown hook ran; ZooKeeper will expire its session "
                + "(timeout %d s), then another member takes over", victim.id(), victim.pid(),
                DemoMember.SESSION_TIMEOUT.toSeconds());

        Leader second = awaitLeader(first.id(), first.epoch(), takeoverTimeout,
                "no member took over within " + takeoverTimeout.toSeconds() + " s of killing " + first.id());
        double takeover = narrator.elapsedSeconds() - killedAt;
        narrator.say(">>> TAKEOVER: %s is the new leader, epoch %d (was %d), %.1f s after the kill",
                second.id(), second.epoch(), first.epoch(), takeover);
        if (second.epoch() <= first.epoch()) {
            throw new DemoFailure("the new leader's epoch " + second.epoch() + " is not greater than the old "
                    + first.epoch());
        }
        narrator.say("letting %s do leader-only work for %d s", second.id(), LEADER_WORK.toSeconds());
        Thread.sleep(LEADER_WORK.toMillis());

        narrator.say("==== summary ===========================================================");
        narrator.say("  first leader : %s, epoch %d, killed with SIGKILL at %.1f s", first.id(), first.epoch(),
                killedAt);
        narrator.say("  new leader   : %s, epoch %d, took over %.1f s after the kill (session timeout %d s)",
                second.id(), second.epoch(), takeover, DemoMember.SESSION_TIMEOUT.toSeconds());
        narrator.say("  members now  : %s", memberList());
        narrator.say("  the epoch rose %d -> %d: work fenced with epoch %d can be refused from now on",
                first.epoch(), second.epoch(), first.epoch());
        narrator.say("=========================================================================");
    }

    private void awaitMembers() throws Exception {
        narrator.say("waiting for %d live members and a leader...", MEMBERS);
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!observer.membership().awaitSize(MEMBERS, POLL)) {
            checkMembersAlive();
            if (System.nanoTime() > deadline) {
                throw new DemoFailure("only " + observer.membership().size() + " of " + MEMBERS
                        + " members joined within " + STARTUP_TIMEOUT.toSeconds() + " s");
            }
        }
    }

    /**
     * Polls ZooKeeper until a leader other than {@code excluded} holds an epoch above {@code epochAbove}. Both are
     * needed: the election shows the new leader a moment before it has written its epoch.
     */
    private Leader awaitLeader(String excluded, long epochAbove, Duration timeout, String failure) throws Exception {
        LeaderElection election = observer.leaderElection();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> leader = election.currentLeader();
            long epoch = election.currentEpoch();
            if (leader.isPresent() && !leader.get().equals(excluded) && epoch > epochAbove) {
                return new Leader(leader.get(), epoch);
            }
            checkMembersAlive();
            if (System.nanoTime() > deadline) {
                throw new DemoFailure(failure + " (ZooKeeper shows leader " + leader.orElse("none") + ", epoch "
                        + epoch + "; live members: " + memberList() + ")");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** A member that dies on its own (bad class path, no connection) would otherwise look like a slow election. */
    private void checkMembersAlive() throws DemoFailure {
        for (SampleProcess member : members) {
            if (!member.isAlive() && !member.wasKilled()) {
                throw new DemoFailure(member.id() + " (pid " + member.pid() + ") exited unexpectedly with code "
                        + member.exitCode() + "; its output is above");
            }
        }
    }

    private void printStatus(Leader leader) {
        narrator.say("---- cluster '%s' ----------------------------------------------------", DemoMember.CLUSTER);
        narrator.say("  members : %s", memberList());
        narrator.say("  leader  : %s (pid %d)", leader.id(), member(leader.id()).pid());
        narrator.say("  epoch   : %d", leader.epoch());
        narrator.say("--------------------------------------------------------------------");
    }

    private String memberList() {
        return observer.membership().list().stream()
                .map(agent -> agent.id() + " (pid " + agent.pid() + ")")
                .collect(Collectors.joining(", "));
    }

    private SampleProcess member(String id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the leader " + id + " is not a process of this demo"));
    }

    private synchronized boolean isCleanedUp() {
        return cleanedUp;
    }

    /**
     * Stops the members (SIGTERM, then SIGKILL after a grace period), then the observer and ZooKeeper. Runs once:
     * from {@code main} on every exit path, and from the shutdown hook on Ctrl-C.
     */
    private synchronized void cleanUp() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        List<SampleProcess> running = members.stream().filter(SampleProcess::isAlive).toList();
        if (!running.isEmpty()) {
            narrator.say("stopping %s with SIGTERM",
                    running.stream().map(SampleProcess::id).collect(Collectors.joining(" and ")));
        }
        running.forEach(SampleProcess::terminate);
        for (SampleProcess member : running) {
            try {
                boolean graceful = member.stop(STOP_GRACE);
                narrator.say("%s (pid %d) %s", member.id(), member.pid(),
                        graceful ? "exited" : "did not stop in time and was killed");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                member.killNow();
            }
        }
        if (observer != null) {
            observer.close();
        }
        if (zooKeeper != null) {
            try {
                zooKeeper.close();
            } catch (Exception e) {
                LOG.warn("stopping the embedded ZooKeeper failed: {}", e.toString());
            }
        }
    }
}
