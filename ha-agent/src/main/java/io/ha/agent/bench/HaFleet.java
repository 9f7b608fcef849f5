package io.ha.agent.bench;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.HaClusterBuilder;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.utils.ZKPaths;

/**
 * One HA cluster inside this JVM: {@code workers} MEMBERs (each with its own ZooKeeper session, a worker and a chance
 * to lead) and one OBSERVER that produces tasks, as separate processes would be, but in-process.
 */
final class HaFleet implements AutoCloseable {
    static final String TASK_TYPE = "noop";
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(15);

    private final List<HaCluster> members;
    private final HaCluster producer;

    private HaFleet(List<HaCluster> members, HaCluster producer) {
        this.members = members;
        this.producer = producer;
    }

    /** Starts the members (without handlers: they take no tasks yet) and the producer. */
    static HaFleet start(String connectString, String clusterName, int workers) throws Exception {
        List<HaCluster> started = new ArrayList<>();
        try {
            for (int i = 1; i <= workers; i++) {
                started.add(builder(connectString, clusterName, "w" + i).role(ClusterRole.MEMBER).build().start());
            }
            HaCluster producer = builder(connectString, clusterName, "producer").role(ClusterRole.OBSERVER).build()
                    .start();
            HaFleet fleet = new HaFleet(List.copyOf(started), producer);
            started.add(producer);
            fleet.awaitLeader();
            return fleet;
        } catch (Exception | Error e) {
            started.forEach(HaCluster::close);
            throw e;
        }
    }

    private static HaClusterBuilder builder(String connectString, String clusterName, String agentId) {
        return HaCluster.builder().connectString(connectString).clusterName(clusterName).agentId(agentId)
                .sessionTimeout(SESSION_TIMEOUT).connectionTimeout(CONNECTION_TIMEOUT);
    }

    private void awaitLeader() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (members.stream().noneMatch(m -> m.leaderElection().isLeader())) {
            if (System.nanoTime() > deadline) {
                throw new BenchException("no HA member became leader within 30 s");
            }
            Thread.sleep(5);
        }
    }

    /** Registers the no-op handler on every member; from then on they take tasks. */
    void startWorkers(int concurrency) throws Exception {
        for (HaCluster m : members) {
            m.worker().register(TASK_TYPE, ctx -> null, concurrency);
        }
    }

    /** Waits until the producer sees every member alive and accepting tasks. */
    void awaitAccepting(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<AgentInfo> agents = producer.membership().list();
            if (agents.size() == members.size() && agents.stream().allMatch(AgentInfo::accepting)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new BenchException("HA workers not all accepting tasks after " + timeout.toSeconds()
                        + " s: " + agents);
            }
            Thread.sleep(5);
        }
    }

    TaskQueue queue() {
        return producer.taskQueue();
    }

    /** The cluster's limits, through the producer. */
    io.ha.core.task.Limits limits() {
        return producer.limits();
    }

    /** SUCCEEDED outcomes recorded by all members so far (in-memory counters: free to poll). */
    long succeeded() {
        return members.stream().mapToLong(m -> m.taskMetrics().ended(TaskState.SUCCEEDED)).sum();
    }

    /** Outcomes other than SUCCEEDED: a no-op handler never causes one, so any is a failure of the run. */
    long otherOutcomes() {
        return members.stream().mapToLong(m -> m.taskMetrics().ended(TaskState.FAILED)
                + m.taskMetrics().ended(TaskState.DEAD) + m.taskMetrics().ended(TaskState.CANCELLED)).sum();
    }

    /**
     * Tasks assigned to the workers now (children of their assignment directories, read through the producer's
     * connection) and, of those, how many the workers have picked up (claimed or being claimed, running, or
     * committing their outcome). The difference waits at the worker for pickup.
     */
    int[] inFlight() throws Exception {
        int assigned = 0;
        int held = 0;
        for (HaCluster m : members) {
            // The assignment directory's layout is ha-core's (<cluster>/assigned/<agent id>); the benchmark reads it
            // raw because no public API counts a worker's assigned but unclaimed tasks.
            String dir = ZKPaths.makePath(producer.clusterPath(), "assigned", m.agentId());
            assigned += producer.curator().getChildren().forPath(dir).size();
            held += m.worker().runningTasks().size();
        }
        return new int[] {assigned, held};
    }

    /** Task slots the workers publish (sum of their concurrencies). */
    int capacity() {
        return members.stream().mapToInt(m -> m.worker().capacity()).sum();
    }

    /** Tasks handed back after an agent loss: none is expected in a healthy run. */
    long reassigned() {
        return members.stream().mapToLong(m -> m.taskMetrics().reassigned()).sum();
    }

    /**
     * Drains every worker at once, as agents do on SIGTERM (running tasks finish, assigned ones go back to pending),
     * then closes the producer and the members one by one, the leader last so that no new leader has to take over
     * a queue that is about to go away.
     */
    @Override
    public void close() throws BenchException {
        ExecutorService pool = Executors.newFixedThreadPool(members.size(),
                new ThreadFactoryBuilder().setNameFormat("bench-drain-%d").setDaemon(true).build());
        try {
            List<Future<?>> draining = new ArrayList<>();
            for (HaCluster m : members) {
                draining.add(pool.submit(() -> {
                    m.worker().drain(Duration.ofSeconds(10));
                    return null;
                }));
            }
            for (Future<?> f : draining) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new BenchException("draining the HA workers failed: " + e, e);
        } finally {
            pool.shutdownNow();
            producer.close();
            members.stream().filter(m -> !m.leaderElection().isLeader()).forEach(HaCluster::close);
            members.forEach(HaCluster::close);
        }
    }
}
