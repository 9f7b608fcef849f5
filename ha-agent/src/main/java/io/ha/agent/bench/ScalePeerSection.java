package io.ha.agent.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Section {@code scale}: the HA queue with 4, 32 and 128 members in this JVM (each its own {@code HaCluster} and
 * session, any of them a possible leader), each size on a fresh embedded server, working the same stream of no-op
 * tasks as section {@code ha}, every member with {@value #DEFAULT_PER_MEMBER} handler threads (agents as deployed:
 * each host brings its own threads). Per size: tasks/s, the CPU per task of the whole process and of the leader's
 * dispatcher threads ({@code ha-leader-*}; the leader's ZooKeeper client threads cannot be told apart from the other
 * members' and count in the process figure only), and the server's requests, write transactions and packets sent per
 * task, read with {@link ServerStats} around each timed run. Medians of the timed rounds, each figure separately.
 * {@code cost_ratio_128_vs_4_agents} is the process CPU per task at the largest size over that at the smallest.
 *
 * <p>With {@code -Dha.bench.scale.perMember=0} the members share the run's total of handler threads ({@code workers x
 * concurrency}, at least one each) instead: that shape measures smaller batches per member as much as more members
 * (a member with one thread claims and records each task in a transaction of its own). Not measured: members in
 * separate processes (the server and all clients share this JVM's cores).
 */
final class ScalePeerSection implements PeerSection {
    private static final List<Integer> SIZES = List.of(4, 32, 128);
    private static final List<Integer> QUICK_SIZES = List.of(2, 8);
    static final int DEFAULT_PER_MEMBER = 4;
    /** Handler threads per member; 0: the run's total split over the members. */
    private static final int PER_MEMBER = Integer.getInteger("ha.bench.scale.perMember", DEFAULT_PER_MEMBER);

    private record Round(double perSecond, double cpuUsPerTask, double dispatcherUsPerTask, double requestsPerTask,
                         double txnsPerTask, double sentPerTask) {
    }

    @Override
    public String name() {
        return "scale";
    }

    @Override
    public String description() {
        return "the HA queue with 4, 32 and 128 members: tasks/s, CPU and server requests per task at each size";
    }

    @Override
    public void run(PeerOptions options, PeerResults results) throws Exception {
        List<Integer> sizes = options.quick() ? QUICK_SIZES : SIZES;
        List<Double> cpu = new ArrayList<>();
        List<Double> requests = new ArrayList<>();
        List<Double> dispatcher = new ArrayList<>();
        for (int members : sizes) {
            Round r = measure(members, options, results);
            cpu.add(r.cpuUsPerTask());
            requests.add(r.requestsPerTask());
            dispatcher.add(r.dispatcherUsPerTask());
        }
        results.put("scale_threads_per_member", PER_MEMBER > 0 ? Integer.toString(PER_MEMBER)
                : "total " + options.threads() + " split", "scale, handler threads of each member");
        int last = sizes.size() - 1;
        String big = sizes.get(last) + "_vs_" + sizes.get(0);
        double ratio = cpu.get(last) / cpu.get(0);
        results.put("cost_ratio_" + big + "_agents", ratio, "process CPU per task, " + sizes.get(last) + " members / "
                + sizes.get(0) + " (target <= 1.3)");
        results.put("target_cost_ratio_" + big + "_agents_met", ratio <= 1.3, "target <= 1.3x met");
        results.put("dispatcher_cost_ratio_" + big + "_agents", dispatcher.get(last) / dispatcher.get(0),
                "leader dispatcher thread CPU per task, " + sizes.get(last) + " members / " + sizes.get(0));
        results.put("server_requests_ratio_" + big + "_agents", requests.get(last) / requests.get(0),
                "server requests per task, " + sizes.get(last) + " members / " + sizes.get(0));
    }

    private static Round measure(int members, PeerOptions options, PeerResults results) throws Exception {
        int concurrency = PER_MEMBER > 0 ? PER_MEMBER : Math.max(1, options.threads() / members);
        int n = options.tasks();
        int warmups = options.quick() ? 1 : 2;
        String p = "scale_" + members;
        HaQueueBench bench = new HaQueueBench(new byte[16]);
        try (BenchServer server = BenchServer.start(options)) {
            long t0 = System.nanoTime();
            try (HaFleet fleet = HaFleet.start(server.connectString(), "bench-scale", members)) {
                fleet.startWorkers(concurrency);
                fleet.awaitAccepting(Duration.ofSeconds(60 + members));
                results.progress(String.format(Locale.ROOT, "%s: %d members x %d threads up in %.1f s", p, members,
                        concurrency, (System.nanoTime() - t0) / 1e9));
                List<Round> rounds = new ArrayList<>();
                for (int i = 1; i <= warmups + options.rounds(); i++) {
                    Round r = round(bench, fleet, server.port(), n);
                    boolean timed = i > warmups;
                    results.progress(String.format(Locale.ROOT, "%s: %s %.0f tasks/s, CPU %.0f us/task (dispatcher "
                            + "%.1f), %.2f server requests/task", p, timed ? "round" : "warm-up", r.perSecond(),
                            r.cpuUsPerTask(), r.dispatcherUsPerTask(), r.requestsPerTask()));
                    if (timed) {
                        rounds.add(r);
                    }
                }
                if (fleet.reassigned() > 0) {
                    throw new BenchException(p + ": " + fleet.reassigned() + " task(s) were reassigned (a member lost "
                            + "its session): the figures would not describe a healthy cluster");
                }
                Round m = new Round(median(rounds, Round::perSecond), median(rounds, Round::cpuUsPerTask),
                        median(rounds, Round::dispatcherUsPerTask), median(rounds, Round::requestsPerTask),
                        median(rounds, Round::txnsPerTask), median(rounds, Round::sentPerTask));
                String how = String.format(Locale.ROOT, "%d members x %d threads, %d tasks, median of %d", members,
                        concurrency, n, rounds.size());
                results.put(p + "_tasks_per_s", m.perSecond(), "HA queue, " + how + ", tasks/s");
                results.put(p + "_cpu_us_per_task", m.cpuUsPerTask(), "HA queue, " + members + " members, process "
                        + "CPU us per task (server and all members)");
                results.put(p + "_dispatcher_cpu_us_per_task", m.dispatcherUsPerTask(), "HA queue, " + members
                        + " members, leader dispatcher threads' CPU us per task");
                results.put(p + "_server_requests_per_task", m.requestsPerTask(), "HA queue, " + members
                        + " members, requests the server received per task (pings included)");
                results.put(p + "_server_txns_per_task", m.txnsPerTask(), "HA queue, " + members
                        + " members, write transactions per task");
                results.put(p + "_server_sent_per_task", m.sentPerTask(), "HA queue, " + members
                        + " members, packets the server sent per task (responses and notifications)");
                return m;
            }
        }
    }

    private static Round round(HaQueueBench bench, HaFleet fleet, int port, int n) throws Exception {
        HaQueueBench.awaitIdle(Duration.ofMillis(300), Duration.ofSeconds(60));
        ServerStats before = ServerStats.read("127.0.0.1", port);
        CpuProfile cpu = CpuProfile.start();
        HaQueueBench.Run run = bench.endToEnd(fleet, n);
        CpuProfile.Usage usage = cpu.stop();
        ServerStats cost = ServerStats.read("127.0.0.1", port).since(before);
        double dispatcher = usage.byRole().getOrDefault("HA dispatcher (leader)", 0.0);
        return new Round(run.perSecond(), usage.processSeconds() * 1e6 / n, dispatcher * 1e6 / n,
                (double) cost.received() / n, (double) cost.zxid() / n, (double) cost.sent() / n);
    }

    private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
        return PeerResults.median(rounds.stream().map(f::applyAsDouble).toList());
    }
}
