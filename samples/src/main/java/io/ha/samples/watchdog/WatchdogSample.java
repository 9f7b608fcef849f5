/*
 * Sample "watchdog": two copies of a service as an active/standby pair, each under HA's supervisor; the standby takes
 * over when the active copy is killed -9, and a hung (SIGSTOPped) copy is restarted by its supervisor.
 *
 * Guarantee shown: the standby becomes active within the session timeout (plus a few seconds' slack) of the active
 * copy's death, with no heartbeat socket between the copies (ZooKeeper's session expiry is the failure detector);
 * every new active copy gets a higher leader epoch than the last; the service's work (a shared journal) is done by one
 * copy per epoch and never by a deposed copy after the takeover; a killed or hung copy is restarted by its supervisor
 * and rejoins as the standby, so the pair ends as it began: one active, one standby.
 * Not shown (not guaranteed): that a copy frozen for longer than the session timeout and then thawed stops before its
 * next write: for a moment it believes it is still active. Here its supervisor kills it (its heartbeat stalled); a
 * system it writes to must refuse writes of an epoch older than the newest it has seen. Nor a takeover faster than
 * the session timeout after a crash: ZooKeeper cannot tell a dead process from a slow one any sooner.
 */
package io.ha.samples.watchdog;

import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.process.ChildProcess;
import io.ha.samples.Sample;
import io.ha.samples.SampleNode;
import io.ha.samples.SampleProcess;
import io.ha.samples.SampleRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** See the comment at the top of this file. */
public final class WatchdogSample implements Sample {
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** How long the sample waits for a takeover at all; whether it came within the bound is a check. */
    private static final Duration TAKEOVER_WAIT = Duration.ofSeconds(30);
    /**
     * ZooKeeper expires sessions on its tick (2 s by default), so a session ends up to a tick after its timeout; the
     * rest is the election, the new epoch and a busy machine.
     */
    private static final Duration SLACK = Duration.ofSeconds(4);
    private static final Duration TAKEOVER_BOUND = SampleNode.SESSION_TIMEOUT.plus(SLACK);
    private static final Pattern JOINED = Pattern.compile("joined as pid (\\d+)");
    private static final Pattern ACTIVE = Pattern.compile("ACTIVE epoch (\\d+)");

    @Override
    public String name() {
        return "watchdog";
    }

    @Override
    public String shows() {
        return "an active/standby pair under HA's supervisor: the standby takes over within the session timeout when"
                + " the active copy is killed -9, and a hung (SIGSTOPped) copy is restarted";
    }

    @Override
    public void run(SampleRun run) throws Exception {
        Journal journal = new Journal(run.workDir().resolve("journal"));
        HaCluster observer = run.observer();

        // 1. Two copies of the service, each started by HA's supervisor, which restarts its JVM when it exits or its
        //    heartbeat stalls. The first to join is elected: the active copy. The second waits as the standby.
        SampleProcess copyA = startCopy(run, "copy-a", journal);
        run.await("copy-a to become active", STARTUP, () -> numbers(copyA, ACTIVE).size() == 1);
        SampleProcess copyB = startCopy(run, "copy-b", journal);
        run.await("copy-b to join", STARTUP, () -> numbers(copyB, JOINED).size() == 1);
        long epoch1 = numbers(copyA, ACTIVE).get(0);
        run.say("copy-a is active in epoch %d, copy-b is the standby (ZooKeeper says the leader is %s)", epoch1,
                observer.leaderElection().currentLeader().orElse("nobody"));

        // 2. kill -9 of the active copy's service JVM (not of its supervisor): no goodbye, its session is simply no
        //    longer renewed. After the session timeout the servers delete its election node; the standby's node is
        //    next in line, so the standby is elected and gets a new, higher epoch.
        long killedPid = numbers(copyA, JOINED).get(0);
        run.say("kill -9 of copy-a's service JVM, pid %d", killedPid);
        long killedAt = System.nanoTime();
        ChildProcess.signal(killedPid, ChildProcess.Signal.KILL);
        run.await("copy-b to take over", TAKEOVER_WAIT, () -> numbers(copyB, ACTIVE).size() == 1);
        Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
        long epoch2 = numbers(copyB, ACTIVE).get(0);
        run.say("copy-b took over in epoch %d, %.1f s after the kill", epoch2, takeover.toMillis() / 1000.0);
        // Meanwhile copy-a's supervisor saw its JVM exit (code 137) and started a new one. It registers once the old
        // session is gone and queues in the election behind copy-b: the standby now.
        long restartedA = awaitRejoined(run, observer, copyA, 2);
        String leaderAtRejoinA = observer.leaderElection().currentLeader().orElse("nobody");
        run.say("copy-a rejoined as pid %d; the leader is %s", restartedA, leaderAtRejoinA);

        // 3. SIGSTOP of the now-active copy-b: a hung JVM. Its process is alive to the kernel, but it neither answers
        //    ZooKeeper (its session expires and copy-a is elected) nor beats (its supervisor kills it and starts a
        //    new one). A plain "is the process alive?" watchdog would wait forever here.
        awaitWork(run, journal, epoch2);
        long frozenPid = numbers(copyB, JOINED).get(0);
        run.say("SIGSTOP of copy-b's service JVM, pid %d: it hangs", frozenPid);
        long frozenAt = System.nanoTime();
        ChildProcess.signal(frozenPid, ChildProcess.Signal.STOP);
        run.await("copy-a to take over again", TAKEOVER_WAIT, () -> numbers(copyA, ACTIVE).size() == 2);
        Duration takeover2 = Duration.ofNanos(System.nanoTime() - frozenAt);
        long epoch3 = numbers(copyA, ACTIVE).get(1);
        long restartedB = awaitRejoined(run, observer, copyB, 2);
        boolean stallSeen = copyB.lines().stream()
                .anyMatch(l -> l.contains("agent pid " + frozenPid + " heartbeat stalled"));
        boolean frozenGone = ProcessHandle.of(frozenPid).map(p -> !p.isAlive()).orElse(true);
        String leaderAtRejoinB = observer.leaderElection().currentLeader().orElse("nobody");
        run.say("copy-b rejoined as pid %d; the hung pid %d is %s; the leader is %s", restartedB, frozenPid,
                frozenGone ? "gone" : "still there", leaderAtRejoinB);

        // 4. Let the new active copy work for a moment, then read what ZooKeeper and the journal say.
        awaitWork(run, journal, epoch3);
        List<Journal.Entry> entries = journal.read();
        Optional<String> leader = observer.leaderElection().currentLeader();
        long epochNow = observer.leaderElection().currentEpoch();
        Map<String, Long> members = observer.membership().list().stream()
                .collect(Collectors.toMap(AgentInfo::id, AgentInfo::pid, (x, y) -> x, TreeMap::new));

        run.verdict().check("the standby took over within the session timeout after kill -9",
                takeover.compareTo(TAKEOVER_BOUND) <= 0, "copy-b active %.1f s after the kill of copy-a's pid %d "
                        + "(bound %d s: session timeout %d s + %d s)", takeover.toMillis() / 1000.0, killedPid,
                TAKEOVER_BOUND.toSeconds(), SampleNode.SESSION_TIMEOUT.toSeconds(), SLACK.toSeconds());
        run.verdict().fact("takeover after SIGSTOP", "copy-a active %.1f s after copy-b froze",
                takeover2.toMillis() / 1000.0);
        run.verdict().check("each new active copy had a higher epoch", epoch1 < epoch2 && epoch2 < epoch3
                        && epochNow == epoch3, "copy-a %d, then copy-b %d, then copy-a %d; ZooKeeper's epoch now %d",
                epoch1, epoch2, epoch3, epochNow);
        JournalAudit audit = JournalAudit.of(entries);
        run.verdict().check("one copy per epoch, and no deposed copy wrote after the takeover",
                audit.consistent() && audit.writers().keySet().equals(Set.of(epoch1, epoch2, epoch3)),
                "%d journal entries, %s; %s", entries.size(), audit.describe(),
                audit.consistent() ? "never an older epoch after a newer one" : audit.firstProblem());
        List<Long> killedExit = numbers(copyA,
                Pattern.compile("agent pid " + killedPid + " exited with code (\\d+)"));
        run.verdict().check("the killed copy was restarted by its supervisor and rejoined as standby",
                killedExit.equals(List.of(137L)) && restartedA != killedPid && leaderAtRejoinA.equals("copy-b"),
                "its supervisor saw pid %d exit with code %s (137: SIGKILL) and started pid %d, which joined while "
                        + "%s led", killedPid, killedExit.isEmpty() ? "?" : killedExit.get(0), restartedA,
                leaderAtRejoinA);
        run.verdict().check("the hung copy was restarted by its supervisor and rejoined as standby",
                stallSeen && frozenGone && restartedB != frozenPid && leaderAtRejoinB.equals("copy-a"),
                "its supervisor %s the stalled heartbeat of pid %d and %s it; pid %d joined while %s led",
                stallSeen ? "noticed" : "did NOT report", frozenPid, frozenGone ? "killed" : "did NOT kill",
                restartedB, leaderAtRejoinB);
        run.verdict().check("in the end exactly one copy is active and one standby",
                leader.equals(Optional.of("copy-a")) && members.equals(Map.of("copy-a", restartedA, "copy-b",
                        restartedB)) && numbers(copyB, ACTIVE).size() == 1,
                "members %s, leader %s in epoch %d; copy-b's pid %d never became active", members,
                leader.orElse("none"), epochNow, restartedB);
    }

    /**
     * Starts HA's supervisor with this sample's service as its child: heartbeat timeout 3 s (a hung JVM is killed
     * within about 3 s), first restart after 500 ms. The child gets the usual {@link SampleNode} command line.
     */
    private static SampleProcess startCopy(SampleRun run, String id, Journal journal) throws Exception {
        return run.process(id, "io.ha.agent.supervisor.SupervisorMain", List.of(), List.of(
                "--main-class", ServiceCopy.class.getName(), "--heartbeat-timeout", "3s", "--startup-timeout", "60s",
                "--backoff-initial", "500ms", "--stop-timeout", "5s", "--",
                "--zk", run.connectString(), "--cluster", run.clusterName(), "--id", id,
                "--secret-file", run.secretFile().toString(), "--journal", journal.file().toString()));
    }

    /**
     * Waits until the copy's supervisor has started its {@code n}-th JVM and ZooKeeper's membership shows that JVM's
     * pid under the copy's id; returns the pid.
     */
    private static long awaitRejoined(SampleRun run, HaCluster observer, SampleProcess copy, int n)
            throws Exception {
        run.await(copy.id() + " to be restarted and rejoin", STARTUP, () -> {
            List<Long> pids = numbers(copy, JOINED);
            return pids.size() == n && observer.membership().get(copy.id())
                    .map(a -> a.pid() == pids.get(n - 1)).orElse(false);
        });
        return numbers(copy, JOINED).get(n - 1);
    }

    /** The numbers in the copy's output lines (its own and its supervisor's) that match {@code pattern}, in order. */
    private static List<Long> numbers(SampleProcess copy, Pattern pattern) {
        return copy.lines().stream().map(pattern::matcher).filter(Matcher::find)
                .map(m -> Long.parseLong(m.group(1))).toList();
    }

    /** Waits until the active copy of {@code epoch} has done some work (a second's worth of journal entries). */
    private static void awaitWork(SampleRun run, Journal journal, long epoch) throws Exception {
        run.await("journal entries of epoch " + epoch, TAKEOVER_WAIT, () -> {
            try {
                return journal.read().stream().filter(e -> e.epoch() == epoch).count() >= 4;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
