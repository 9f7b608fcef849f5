/*
 * Sample "service-integration": a plain Java HTTP service embedding ha-core; every instance serves requests, only the
 * leader runs the nightly job, and the job moves when the leader instance stops.
 *
 * Guarantee shown: three instances of an ordinary service (the JDK's HttpServer, no framework) answer HTTP requests
 * alike, while the job that must run once per period runs only on the elected leader, each run under the leader's
 * epoch, and no period runs twice; a leader stopped cleanly (SIGTERM) gives up leadership at once, so the job moves to
 * another instance within a cron interval and the remaining instances go on serving.
 * Not shown (not guaranteed): that a period is run when no instance led at its time (here the next leader starts at
 * the next period; ha-core's Schedules with a misfire policy make up missed ones), nor a handover this fast after a
 * crash: a crashed leader is replaced only once its session expires (see the watchdog sample). The job's side effects
 * are fenced only if the store they go to checks the epoch.
 */
package io.ha.samples.serviceintegration;

import io.ha.core.cluster.HaCluster;
import io.ha.process.ChildProcess;
import io.ha.samples.Sample;
import io.ha.samples.SampleNode;
import io.ha.samples.SampleProcess;
import io.ha.samples.SampleRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** See the comment at the top of this file. */
public final class ServiceIntegrationSample implements Sample {
    /** Quartz cron with seconds: "every 2 s" stands for a night (a real nightly job: {@code 0 0 2 * * ?}). */
    private static final String CRON = "*/2 * * * * ?";
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final int INSTANCES = 3;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration MOVE_BOUND = INTERVAL.plusSeconds(4);
    private static final Pattern PORT = Pattern.compile("serving HTTP on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern LEADER = Pattern.compile("LEADER epoch (\\d+)");

    @Override
    public String name() {
        return "service-integration";
    }

    @Override
    public String shows() {
        return "three instances of a plain Java HTTP service embedding ha-core: all serve requests, only the leader"
                + " runs the nightly job, and the job moves at once when the leader instance is stopped";
    }

    @Override
    public void run(SampleRun run) throws Exception {
        HaCluster observer = run.observer();
        HttpProbe http = new HttpProbe(run);

        // 1. Three instances of the service, each an ordinary HTTP server with ha-core embedded. ZooKeeper elects
        //    one of them leader; the nightly job runs there. The cron expression is every instance's configuration.
        Map<String, SampleProcess> instances = new LinkedHashMap<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int i = 1; i <= INSTANCES; i++) {
            instances.put("instance-" + i, run.node("instance-" + i, HelloService.class, "--job-cron", CRON,
                    "--job-millis", "500"));
        }
        for (Map.Entry<String, SampleProcess> e : instances.entrySet()) {
            ports.put(e.getKey(), Integer.parseInt(e.getValue().awaitLine(PORT.pattern(), STARTUP).group(1)));
        }
        run.await("a leader", STARTUP, () -> observer.membership().size() == INSTANCES
                && instances.values().stream().anyMatch(p -> !numbers(p, LEADER).isEmpty()));
        String leader1 = observer.leaderElection().currentLeader().orElse("none");
        long epoch1 = observer.leaderElection().currentEpoch();
        run.say("%d instances serve on ports %s; ZooKeeper says %s leads in epoch %d (cron '%s': a night is 2 s)",
                INSTANCES, ports.values(), leader1, epoch1, CRON);

        // 2. Requests go to every instance alike (a load balancer's view): none of them needs to be the leader.
        int asked = 0;
        List<String> answers = new ArrayList<>();
        for (int round = 1; round <= 2; round++) {
            for (Map.Entry<String, Integer> e : ports.entrySet()) {
                asked++;
                http.hello(e.getValue(), e.getKey(), leader1).ifPresent(answers::add);
            }
        }

        // 3. A few nights pass: the leader runs the job at each period, the others do nothing about it.
        run.await("three nightly runs on " + leader1, WAIT, () -> runs(instances).stream()
                .filter(r -> r.instance().equals(leader1) && r.outcome().equals("done")).count() >= 3);
        List<String> jobsPage = http.get(ports.get(leader1), "/jobs").body().strip().lines().toList();
        run.say("GET :%d/jobs -> %d runs listed by %s, the last: %s", ports.get(leader1), jobsPage.size(), leader1,
                jobsPage.isEmpty() ? "none" : jobsPage.get(jobsPage.size() - 1));

        // 4. A clean stop of the leader instance (SIGTERM, as a deployment or systemd would): its shutdown hook
        //    closes the HaCluster, which stops the job and deletes its election node at once. The next instance
        //    in line is elected with a new epoch and runs the job from the next period on.
        SampleProcess stopped = instances.get(leader1);
        run.say("SIGTERM to %s (pid %d), the leader", leader1, stopped.pid());
        long stoppedAt = System.nanoTime();
        ChildProcess.signal(stopped.pid(), ChildProcess.Signal.TERM);
        run.await("another instance to lead", WAIT, () -> instances.entrySet().stream()
                .anyMatch(e -> !e.getKey().equals(leader1) && !numbers(e.getValue(), LEADER).isEmpty()));
        Duration handover = Duration.ofNanos(System.nanoTime() - stoppedAt);
        run.await("a nightly run under a newer epoch", WAIT, () -> runs(instances).stream()
                .anyMatch(r -> r.epoch() > epoch1 && r.outcome().equals("done")));
        Duration moved = Duration.ofNanos(System.nanoTime() - stoppedAt);
        OptionalInt exit = stopped.awaitExit(WAIT);
        String leader2 = observer.leaderElection().currentLeader().orElse("none");
        long epoch2 = observer.leaderElection().currentEpoch();
        run.say("%s leads in epoch %d; the job ran there %.1f s after the stop", leader2, epoch2,
                moved.toMillis() / 1000.0);

        // 5. The stopped instance is gone from the network; the other two answer as before, naming the new leader.
        HttpProbe.Answer refused = http.get(ports.get(leader1), "/hello");
        List<String> after = new ArrayList<>();
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            if (!e.getKey().equals(leader1)) {
                http.hello(e.getValue(), e.getKey(), leader2).ifPresent(after::add);
            }
        }
        run.await("two more nightly runs on " + leader2, WAIT, () -> runs(instances).stream()
                .filter(r -> r.epoch() == epoch2 && r.outcome().equals("done")).count() >= 2);

        // 6. The evidence: every run as the instances reported it, against ZooKeeper's leader of each epoch.
        List<JobRun> runs = runs(instances);
        Map<Long, String> leaders = new HashMap<>();
        leaders.put(epoch1, leader1);
        leaders.put(epoch2, leader2);   // a second term without a new epoch would overwrite the first: then it fails
        Map<String, Long> perTerm = runs.stream().sorted(Comparator.comparingLong(JobRun::epoch)).collect(
                Collectors.groupingBy(r -> "epoch " + r.epoch() + " on " + r.instance(), LinkedHashMap::new,
                        Collectors.counting()));
        List<String> periods = runs.stream().map(JobRun::period).sorted().toList();
        long distinct = periods.stream().distinct().count();

        List<String> answeredBy = ports.keySet().stream()
                .filter(id -> answers.stream().anyMatch(a -> a.startsWith("hello from " + id + " "))).toList();
        run.verdict().check("every instance answered HTTP", answers.size() == asked
                        && answeredBy.size() == INSTANCES, "%d of %d GET /hello answered by %s, each naming the "
                        + "leader %s", answers.size(), asked, answeredBy, leader1);
        run.verdict().check("the nightly job ran only on the leader of its epoch", !runs.isEmpty()
                        && runs.stream().allMatch(r -> r.instance().equals(leaders.get(r.epoch()))),
                "%d runs: %s; ZooKeeper's leaders: epoch %d %s, epoch %d %s", runs.size(), perTerm, epoch1, leader1,
                epoch2, leader2);
        run.verdict().check("no period ran twice", distinct == runs.size(), "%d runs for %d distinct periods "
                + "(%s)", runs.size(), distinct, String.join(", ", periods));
        run.verdict().check("leadership moved at once on the clean stop", exit.equals(OptionalInt.of(0))
                        && handover.compareTo(SampleNode.SESSION_TIMEOUT) < 0,
                "%s %s and %s led %.1f s after the SIGTERM (a crash is noticed only after the %d s session "
                        + "timeout)", leader1, exit.isPresent() ? "exited with code " + exit.getAsInt()
                        : "had not exited " + WAIT.toSeconds() + " s later", leader2, handover.toMillis() / 1000.0,
                SampleNode.SESSION_TIMEOUT.toSeconds());
        run.verdict().check("the job moved to another instance soon after the stop", !leader2.equals(leader1)
                        && epoch2 > epoch1 && moved.compareTo(MOVE_BOUND) <= 0,
                "first run on %s (epoch %d > %d) done %.1f s after the SIGTERM to %s (bound %d s: one cron "
                        + "interval + 4 s)", leader2, epoch2, epoch1, moved.toMillis() / 1000.0, leader1,
                MOVE_BOUND.toSeconds());
        run.verdict().check("the stopped instance's port refuses connections", refused.refused(),
                "GET /hello on port %d: %s", ports.get(leader1), refused.refused() ? "connection refused"
                        : refused.status() + " " + refused.body().strip());
        run.verdict().check("the remaining instances kept serving", after.size() == INSTANCES - 1,
                "%d of %d answered, naming the new leader %s", after.size(), INSTANCES - 1, leader2);
    }

    /** One run of the nightly job, as its instance reported it. */
    record JobRun(String instance, String period, String outcome, long epoch) {
        private static final Pattern LINE =
                Pattern.compile("nightly run for period (\\S+) (\\w+).* \\(epoch (\\d+)\\)");
    }

    /** Every run the instances reported so far (the output of a stopped instance stays readable). */
    private static List<JobRun> runs(Map<String, SampleProcess> instances) {
        List<JobRun> runs = new ArrayList<>();
        instances.forEach((id, p) -> p.lines().stream().map(JobRun.LINE::matcher).filter(Matcher::find)
                .forEach(m -> runs.add(new JobRun(id, m.group(1), m.group(2), Long.parseLong(m.group(3))))));
        return runs;
    }

    private static List<Long> numbers(SampleProcess p, Pattern pattern) {
        return p.lines().stream().map(pattern::matcher).filter(Matcher::find)
                .map(m -> Long.parseLong(m.group(1))).toList();
    }
}
