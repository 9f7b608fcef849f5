package io.ha.core.cluster;

import com.google.common.base.Preconditions;
import io.ha.core.HaException;
import io.ha.core.ZooKeeperUnavailableException;
import io.ha.core.internal.ZPaths;
import io.ha.core.leader.LeaderElection;
import io.ha.core.lock.ExclusiveWork;
import io.ha.core.membership.AgentControl;
import io.ha.core.membership.AgentInfo;
import io.ha.core.membership.AgentRegistry;
import io.ha.core.membership.Membership;
import io.ha.core.schedule.Scheduler;
import io.ha.core.schedule.Schedules;
import io.ha.core.session.ClusterContext;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.session.EventTimeline;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.Limits;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.Worker;
import io.ha.core.task.dispatch.Dispatcher;
import io.ha.core.task.dispatch.DonePruner;
import io.ha.core.task.store.ZooKeeperLimits;
import io.ha.core.task.store.ZooKeeperTaskQueue;
import io.ha.core.task.work.AgentWorker;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the library: one process's membership in one cluster. Build with {@link #builder()}, then
 * {@link #start()}; {@link #close()} leaves the cluster (deregisters at once, gives up leadership after stopping
 * leader services, interrupts exclusive work).
 *
 * <p>Guarantees: {@link #start()} either returns with the process connected (and, as a {@link ClusterRole#MEMBER},
 * registered and in the election) or throws a clear error having released everything it acquired; an unreachable
 * ZooKeeper fails after the connection timeout, never hangs. Without a connect string an embedded single-server
 * ZooKeeper is started (and a loud warning logged): that is for one machine only.
 */
public final class HaCluster implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(HaCluster.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final ClusterConfig config;
    private final ZPaths paths;
    private final EventTimeline timeline;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Deque<Closeable> toClose = new ArrayDeque<>();
    private final TaskMetrics taskMetrics = new TaskMetrics();
    private EmbeddedZooKeeper embedded;
    private CuratorFramework client;
    private ConnectionGuard guard;
    private String connectString;
    private Membership membership;
    private AgentRegistry registry;
    private LeaderElection election;
    private ExclusiveWork exclusiveWork;
    private TaskQueue taskQueue;
    private Limits limits;
    private AgentControl agentControl;
    private Schedules schedules;
    private AgentWorker worker;

    HaCluster(ClusterConfig config) {
        this.config = config;
        this.paths = new ZPaths(config.rootPath(), config.clusterName());
        this.timeline = new EventTimeline(config.agentId(), config.timelineCapacity(), Clock.systemUTC());
    }

    public static HaClusterBuilder builder() {
        return new HaClusterBuilder();
    }

    /**
     * Connects and joins. Blocks at most about the connection timeout (plus the session timeout when a previous
     * session of the same agent id still holds its node).
     *
     * @throws ZooKeeperUnavailableException when no ZooKeeper server answered within the connection timeout
     * @throws HaException                   for any other failure, with what failed in the message
     */
    public HaCluster start() throws Exception {
        Preconditions.checkState(state.compareAndSet(State.LATENT, State.STARTED), "Cannot be started more than once");
        try {
            ZooKeeperClients.Connection connection = ZooKeeperClients.connect(config, timeline, toClose::push);
            embedded = connection.embedded();
            client = connection.client();
            guard = connection.guard();
            connectString = connection.connectString();
            ClusterLayout layout = new ClusterLayout(client, paths, config, connectString);
            layout.ensure();
            compose(layout);
            LOG.info("{} {} joined cluster '{}' at {} (session timeout {} ms)", roleName(), config.agentId(),
                    config.clusterName(), connectString, negotiatedSessionTimeout());
            return this;
        } catch (Exception | Error e) {
            closeAll();
            state.set(State.CLOSED);
            throw e;
        }
    }

    /** Builds the components on the connected client, in the order they depend on each other. */
    private void compose(ClusterLayout layout) throws Exception {
        ClusterContext ctx = new ClusterContext(client, paths, config.agentId(), guard, timeline,
                config.sessionTimeout(), config.connectionTimeout());
        exclusiveWork = track(new ExclusiveWork(ctx));
        membership = track(new Membership(ctx, config.maxAgentCapacity(), config.roles() != null));
        membership.start();
        election = track(new LeaderElection(ctx, config.leaderStopTimeout()));
        layout.ensureTaskLayout();
        agentControl = track(new AgentControl(ctx));
        ZooKeeperTaskQueue queue = track(new ZooKeeperTaskQueue(ctx, config.maxTaskPayloadBytes(), taskMetrics));
        taskQueue = queue;
        schedules = new Schedules(ctx, config.maxTaskPayloadBytes());
        limits = new ZooKeeperLimits(client, paths, config.sessionTimeout());
        if (config.role() != ClusterRole.MEMBER) {
            return;
        }
        registry = track(new AgentRegistry(ctx, agentInfo(),
                config.roles() == null ? null : config.credentials().digestId()));
        registry.start();
        worker = track(new AgentWorker(ctx, queue.store(), config.maxTaskPayloadBytes(), registry, taskMetrics));
        election.addService("task-dispatcher", new Dispatcher(queue.store(), membership,
                config.assignmentStrategy(), config.sessionTimeout(), taskMetrics, timeline));
        election.addService("scheduler", new Scheduler(ctx, schedules, taskQueue));
        election.addService("done-pruner", new DonePruner(queue.store(), config.doneRetention(),
                config.maxDoneRecords(), Duration.ofMinutes(1), config.sessionTimeout()));
        config.leaderServices().forEach(election::addService);
        election.start();
    }

    private String roleName() {
        return config.role() == ClusterRole.MEMBER ? "agent" : "observer";
    }

    /** The session timeout the servers granted (they clamp the requested one to 2-20 ticks). */
    private long negotiatedSessionTimeout() throws Exception {
        int granted = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
        if (granted != config.sessionTimeout().toMillis() && config.role() == ClusterRole.MEMBER) {
            LOG.warn("ZooKeeper granted a session timeout of {} ms instead of the {} ms asked for (servers allow "
                    + "2 to 20 ticks)", granted, config.sessionTimeout().toMillis());
        }
        return granted;
    }

    private <T extends Closeable> T track(T closeable) {
        toClose.push(closeable);
        return closeable;
    }

    private AgentInfo agentInfo() {
        return new AgentInfo(config.agentId(), ProcessIdentity.hostName(), ProcessHandle.current().pid(),
                Instant.now().toEpochMilli(), config.capacity(), config.labels(), ProcessIdentity.version(),
                config.httpEndpoint(), false, Set.of());
    }

    private void checkStarted() {
        Preconditions.checkState(state.get() == State.STARTED && membership != null, "HaCluster is not started");
    }

    /** The validated settings this cluster was built with. */
    public ClusterConfig config() {
        return config;
    }

    public String agentId() {
        return config.agentId();
    }

    public String clusterName() {
        return config.clusterName();
    }

    public ClusterRole role() {
        return config.role();
    }

    /** The connect string in use (the embedded server's when none was given). */
    public String connectString() {
        return connectString;
    }

    /** The root path of all clusters ({@code /ha} unless configured). */
    public String rootPath() {
        return config.rootPath();
    }

    /** The path of this cluster's nodes, {@code <root>/<cluster name>}. */
    public String clusterPath() {
        return paths.clusterRoot();
    }

    public EventTimeline timeline() {
        return timeline;
    }

    public ConnectionGuard connectionGuard() {
        checkStarted();
        return guard;
    }

    public Membership membership() {
        checkStarted();
        return membership;
    }

    /** This process's registration; throws for an {@link ClusterRole#OBSERVER}. */
    public AgentRegistry registry() {
        checkStarted();
        Preconditions.checkState(registry != null, "an observer has no agent registration");
        return registry;
    }

    public LeaderElection leaderElection() {
        checkStarted();
        return election;
    }

    public ExclusiveWork exclusiveWork() {
        checkStarted();
        return exclusiveWork;
    }

    /** Send commands to agents (any role), or receive this agent's commands. */
    public AgentControl agentControl() {
        checkStarted();
        return agentControl;
    }

    /** Define and steer interval and cron jobs (any role); the leader fires them. */
    public Schedules schedules() {
        checkStarted();
        return schedules;
    }

    /** Submit and inspect tasks (any role). */
    public TaskQueue taskQueue() {
        checkStarted();
        return taskQueue;
    }

    /** Cluster-wide limits per task type, enforced by the leader's dispatcher (any role). */
    public Limits limits() {
        checkStarted();
        return limits;
    }

    /** This agent's task worker: register handlers to start taking tasks. Throws for an observer. */
    public Worker worker() {
        checkStarted();
        Preconditions.checkState(worker != null, "an observer runs no tasks");
        return worker;
    }

    /** What this process's queue components did (submits, assignments, outcomes). */
    public TaskMetrics taskMetrics() {
        return taskMetrics;
    }

    /** The started Curator client, for framework components built on this cluster. */
    public CuratorFramework curator() {
        checkStarted();
        return client;
    }

    /** The embedded server, when this cluster started one. */
    public Optional<EmbeddedZooKeeper> embeddedZooKeeper() {
        return Optional.ofNullable(embedded);
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.STARTED) {
            closeAll();
            LOG.info("{} {} left cluster '{}'", roleName(), config.agentId(), config.clusterName());
        }
    }

    private void closeAll() {
        // Stop running tasks, then leader work and locks, and only then leave membership, so no other process sees
        // this agent gone while it still leads or holds a lock; the client goes last but one, an embedded server
        // last of all. Anything not listed closes in reverse order of creation.
        List<Closeable> order = new ArrayList<>();
        for (Closeable c : new Closeable[] {worker, election, exclusiveWork, registry, membership}) {
            if (c != null && toClose.remove(c)) {
                order.add(c);
            }
        }
        while (!toClose.isEmpty()) {
            order.add(toClose.pop());
        }
        for (Closeable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
