package io.ha.core.cluster;

import com.google.common.base.Preconditions;
import io.ha.core.HaException;
import io.ha.core.ZooKeeperUnavailableException;
import io.ha.core.session.ClusterContext;
import io.ha.core.Names;
import io.ha.core.internal.ZPaths;
import io.ha.core.leader.LeaderElection;
import io.ha.core.leader.LeaderService;
import io.ha.core.lock.ExclusiveWork;
import io.ha.core.membership.AgentControl;
import io.ha.core.membership.AgentInfo;
import io.ha.core.membership.AgentRegistry;
import io.ha.core.membership.Membership;
import io.ha.core.schedule.Scheduler;
import io.ha.core.schedule.Schedules;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.session.ConnectionPolicy;
import io.ha.core.session.EventTimeline;
import io.ha.core.task.AssignmentStrategies;
import io.ha.core.task.AssignmentStrategy;
import io.ha.core.task.dispatch.Dispatcher;
import io.ha.core.task.dispatch.DonePruner;
import io.ha.core.task.store.TaskLayout;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.Worker;
import io.ha.core.task.store.ZooKeeperTaskQueue;
import io.ha.core.task.work.AgentWorker;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.framework.state.StandardConnectionStateErrorPolicy;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.data.ACL;
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

    private final Builder config;
    private final ZPaths paths;
    private final EventTimeline timeline;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Deque<Closeable> toClose = new ArrayDeque<>();
    private EmbeddedZooKeeper embedded;
    private CuratorFramework client;
    private ConnectionGuard guard;
    private Membership membership;
    private AgentRegistry registry;
    private LeaderElection election;
    private ExclusiveWork exclusiveWork;
    private TaskQueue taskQueue;
    private AgentControl agentControl;
    private Schedules schedules;
    private AgentWorker worker;
    private final TaskMetrics taskMetrics = new TaskMetrics();
    private String connectString;

    private HaCluster(Builder config) {
        this.config = config;
        this.paths = new ZPaths(config.rootPath, config.clusterName);
        this.timeline = new EventTimeline(config.agentId, config.timelineCapacity, java.time.Clock.systemUTC());
    }

    public static Builder builder() {
        return new Builder();
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
            connect();
            ensureLayout();
            ClusterContext ctx = new ClusterContext(client, paths, config.agentId, guard, timeline,
                    config.sessionTimeout, config.connectionTimeout);
            exclusiveWork = track(new ExclusiveWork(ctx));
            membership = track(new Membership(ctx));
            membership.start();
            election = track(new LeaderElection(ctx, config.leaderStopTimeout));
            TaskLayout.ensure(client, paths);
            agentControl = track(new AgentControl(ctx));
            ZooKeeperTaskQueue queue = new ZooKeeperTaskQueue(ctx, config.maxTaskPayloadBytes, taskMetrics);
            taskQueue = queue;
            schedules = new Schedules(ctx, config.maxTaskPayloadBytes);
            if (config.role == ClusterRole.MEMBER) {
                registry = track(new AgentRegistry(ctx, agentInfo()));
                registry.start();
                worker = track(new AgentWorker(ctx, queue.store(), config.maxTaskPayloadBytes, registry, taskMetrics));
                election.addService("task-dispatcher", new Dispatcher(queue.store(), membership,
                        config.assignmentStrategy, config.sessionTimeout, taskMetrics));
                election.addService("scheduler", new Scheduler(ctx, schedules, taskQueue));
                election.addService("done-pruner", new DonePruner(queue.store(), config.doneRetention,
                        config.maxDoneRecords, Duration.ofMinutes(1), config.sessionTimeout));
                config.leaderServices.forEach(election::addService);
                election.start();
            }
            LOG.info("{} {} joined cluster '{}' at {} (session timeout {} ms)", roleName(), config.agentId,
                    config.clusterName, connectString, negotiatedSessionTimeout());
            return this;
        } catch (Exception | Error e) {
            closeAll();
            state.set(State.CLOSED);
            throw e;
        }
    }

    private String roleName() {
        return config.role == ClusterRole.MEMBER ? "agent" : "observer";
    }

    /** The session timeout the servers granted (they clamp the requested one to 2-20 ticks). */
    private long negotiatedSessionTimeout() throws Exception {
        int granted = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
        if (granted != config.sessionTimeout.toMillis() && config.role == ClusterRole.MEMBER) {
            LOG.warn("ZooKeeper granted a session timeout of {} ms instead of the {} ms asked for (servers allow "
                    + "2 to 20 ticks)", granted, config.sessionTimeout.toMillis());
        }
        return granted;
    }

    private <T extends Closeable> T track(T closeable) {
        toClose.push(closeable);
        return closeable;
    }

    private void connect() throws Exception {
        connectString = config.connectString;
        if (connectString == null) {
            embedded = track(EmbeddedZooKeeper.start());
            connectString = embedded.connectString();
        }
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) config.sessionTimeout.toMillis())
                .connectionTimeoutMs((int) config.connectionTimeout.toMillis())
                .retryPolicy(config.retryPolicy)
                .connectionStateErrorPolicy(config.connectionPolicy == ConnectionPolicy.SUSPENDED_IS_LOSS
                        ? new StandardConnectionStateErrorPolicy() : new SessionConnectionStateErrorPolicy());
        if (config.credentials != null) {
            b.authorization("digest", config.credentials.digestAuth()).aclProvider(new CreatorOnlyAcl());
        }
        b.zkClientConfig(clientConfig());
        client = b.build();
        track(client);
        guard = track(new ConnectionGuard(client, config.connectionPolicy, timeline));
        client.start();
        long timeoutMs = config.connectionTimeout.toMillis();
        if (!client.blockUntilConnected((int) timeoutMs, TimeUnit.MILLISECONDS)
                || !guard.awaitFirstConnection(config.connectionTimeout)) {
            throw new ZooKeeperUnavailableException("could not connect to ZooKeeper at " + connectString + " within "
                    + timeoutMs + " ms (connection timeout); is the server running and reachable?");
        }
    }

    private void ensureLayout() throws Exception {
        for (String path : List.of(paths.agents(), paths.leader(), paths.locks())) {
            createIfMissing(path, null);
        }
        createIfMissing(paths.epoch(), "0".getBytes(StandardCharsets.UTF_8));
        try {
            client.getData().forPath(paths.clusterRoot());
        } catch (KeeperException.NoAuthException e) {
            throw new HaException("cluster '" + config.clusterName + "' at " + paths.clusterRoot()
                    + " is protected by credentials this process does not have (NoAuth)", e);
        }
    }

    private void createIfMissing(String path, byte[] data) throws Exception {
        // A create that fails with NodeExists still goes through the quorum and the disk: check first, so that the
        // usual start (cluster laid out long ago) writes nothing.
        try {
            if (client.checkExists().forPath(path) != null) {
                return;
            }
            if (data == null) {
                client.create().creatingParentsIfNeeded().forPath(path);
            } else {
                client.create().creatingParentsIfNeeded().forPath(path, data);
            }
        } catch (KeeperException.NodeExistsException e) {
            // Already laid out by an earlier member.
        } catch (KeeperException.NoAuthException e) {
            throw new HaException("cannot create " + path + " for cluster '" + config.clusterName
                    + "': it is protected by credentials this process does not have (NoAuth)", e);
        } catch (KeeperException.NoNodeException e) {
            String chroot = ConnectStrings.chroot(connectString);
            if (chroot != null) {
                throw new HaException("ZooKeeper chroot '" + chroot + "' of connect string '" + connectString
                        + "' does not exist; create it first (for example: zkCli.sh create " + chroot + ")", e);
            }
            throw e;
        }
    }

    /** ZooKeeper's client settings (system properties as usual), with room for answers of batched reads. */
    private static ZKClientConfig clientConfig() {
        ZKClientConfig zk = new ZKClientConfig();
        int limit;
        try {
            limit = zk.getInt(ZKConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + ZKConfig.JUTE_MAXBUFFER
                    + " must be a number of bytes, got '" + zk.getProperty(ZKConfig.JUTE_MAXBUFFER) + "'");
        }
        if (limit < ClusterContext.CLIENT_PACKET_LIMIT) {
            zk.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(ClusterContext.CLIENT_PACKET_LIMIT));
        }
        return zk;
    }

    private AgentInfo agentInfo() {
        return new AgentInfo(config.agentId, ProcessIdentity.hostName(), ProcessHandle.current().pid(),
                Instant.now().toEpochMilli(), config.capacity, config.labels, ProcessIdentity.version(), config.httpEndpoint, false, Set.of());
    }

    private void checkStarted() {
        Preconditions.checkState(state.get() == State.STARTED && membership != null, "HaCluster is not started");
    }

    public String agentId() {
        return config.agentId;
    }

    public String clusterName() {
        return config.clusterName;
    }

    public ClusterRole role() {
        return config.role;
    }

    /** The connect string in use (the embedded server's when none was given). */
    public String connectString() {
        return connectString;
    }

    /** The root path of all clusters ({@code /ha} unless configured). */
    public String rootPath() {
        return config.rootPath;
    }

    /** The path of this cluster's nodes, {@code <root>/<cluster name>}. */
    public String clusterPath() {
        return paths.clusterRoot();
    }

    public ZPaths paths() {
        return paths;
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
    public java.util.Optional<EmbeddedZooKeeper> embeddedZooKeeper() {
        return java.util.Optional.ofNullable(embedded);
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.STARTED) {
            closeAll();
            LOG.info("{} {} left cluster '{}'", roleName(), config.agentId, config.clusterName);
        }
    }

    private void closeAll() {
        // Stop running tasks, then leader work and locks, and only then leave membership, so no other process sees
        // this agent gone while it still leads or holds a lock; the client goes last but one, an embedded server
        // last of all. Anything not listed closes in reverse order of creation.
        List<Closeable> order = new java.util.ArrayList<>();
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

    private static final class CreatorOnlyAcl implements ACLProvider {
        @Override
        public List<ACL> getDefaultAcl() {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }

        @Override
        public List<ACL> getAclForPath(String path) {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }
    }

    /**
     * Configuration of an {@link HaCluster}. Every setter validates its argument and names the setting in its error;
     * {@link #build()} checks the combination.
     */
    public static final class Builder {
        private String connectString;
        private String clusterName = "default";
        private String rootPath = "/ha";
        private String agentId;
        private Duration sessionTimeout = Duration.ofSeconds(15);
        private Duration connectionTimeout = Duration.ofSeconds(10);
        private Duration leaderStopTimeout = Duration.ofSeconds(10);
        private RetryPolicy retryPolicy;
        private Credentials credentials;
        private ConnectionPolicy connectionPolicy = ConnectionPolicy.SUSPENDED_IS_LOSS;
        private ClusterRole role = ClusterRole.MEMBER;
        private int capacity = Runtime.getRuntime().availableProcessors();
        private Set<String> labels = Set.of();
        private String httpEndpoint;
        private int timelineCapacity = EventTimeline.DEFAULT_CAPACITY;
        private int maxTaskPayloadBytes = TaskQueue.DEFAULT_MAX_PAYLOAD;
        private AssignmentStrategy assignmentStrategy = AssignmentStrategies.capacityWeighted();
        private final java.util.Map<String, LeaderService> leaderServices = new java.util.LinkedHashMap<>();
        private Duration doneRetention = Duration.ofDays(7);
        private int maxDoneRecords = 1_000_000;

        private Builder() {
        }

        /** ZooKeeper servers, {@code host:port[,host:port...][/chroot]}; null (default) starts an embedded server. */
        public Builder connectString(String connectString) {
            this.connectString = connectString == null ? null : ConnectStrings.validate(connectString.trim());
            return this;
        }

        /** The cluster's name; its nodes live under {@code <root>/<name>}. Default {@code default}. */
        public Builder clusterName(String name) {
            this.clusterName = Names.validate("cluster name", name);
            return this;
        }

        /** Root path of all clusters, default {@code /ha}. */
        public Builder rootPath(String path) {
            Preconditions.checkArgument(path != null && path.startsWith("/") && !path.endsWith("/")
                    && !path.contains("//"), "root path must look like /name[/name...], got '%s'", path);
            for (String segment : path.substring(1).split("/")) {
                Names.validate("root path segment", segment);
            }
            this.rootPath = path;
            return this;
        }

        /** This process's agent id; default {@code <hostname>-<pid>}. */
        public Builder agentId(String id) {
            this.agentId = Names.validate("agent id", id);
            return this;
        }

        public Builder sessionTimeout(Duration timeout) {
            this.sessionTimeout = positive("session timeout", timeout);
            return this;
        }

        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = positive("connection timeout", timeout);
            return this;
        }

        /** How long leader services get to return after leadership is lost before a warning is logged. */
        public Builder leaderStopTimeout(Duration timeout) {
            this.leaderStopTimeout = positive("leader stop timeout", timeout);
            return this;
        }

        /**
         * How ZooKeeper operations are retried through connection loss. Default: every 200 ms until one session
         * timeout has elapsed (past that the session is lost anyway, and callers get a clear error instead of a
         * long hang).
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Preconditions.checkNotNull(policy, "retry policy must not be null");
            return this;
        }

        /** Digest credentials; every node the framework creates becomes creator-only. */
        public Builder credentials(Credentials credentials) {
            this.credentials = credentials;
            return this;
        }

        public Builder connectionPolicy(ConnectionPolicy policy) {
            this.connectionPolicy = Preconditions.checkNotNull(policy, "connection policy must not be null");
            return this;
        }

        public Builder role(ClusterRole role) {
            this.role = Preconditions.checkNotNull(role, "role must not be null");
            return this;
        }

        /** How many tasks this agent runs at once, published in its {@link AgentInfo}. */
        public Builder capacity(int capacity) {
            Preconditions.checkArgument(capacity >= 1, "capacity must be at least 1, got %s", capacity);
            this.capacity = capacity;
            return this;
        }

        public Builder labels(Set<String> labels) {
            for (String label : labels) {
                Preconditions.checkArgument(label != null && !label.isBlank() && label.length() <= Names.MAX_LENGTH,
                        "label must be non-blank and at most %s characters: '%s'", Names.MAX_LENGTH, label);
            }
            this.labels = Set.copyOf(labels);
            return this;
        }

        /** The agent's status endpoint ({@code host:port}) published in its {@link AgentInfo}. */
        public Builder httpEndpoint(String endpoint) {
            this.httpEndpoint = endpoint;
            return this;
        }

        public Builder timelineCapacity(int capacity) {
            Preconditions.checkArgument(capacity >= 1, "timeline capacity must be at least 1, got %s", capacity);
            this.timelineCapacity = capacity;
            return this;
        }

        /** Largest task payload accepted at submit, default 256 KiB, at most 512 KiB. */
        public Builder maxTaskPayloadBytes(int bytes) {
            Preconditions.checkArgument(bytes >= 0 && bytes <= TaskQueue.MAX_PAYLOAD_CEILING,
                    "max task payload must be in 0-%s bytes, got %s", TaskQueue.MAX_PAYLOAD_CEILING, bytes);
            this.maxTaskPayloadBytes = bytes;
            return this;
        }

        /**
         * Leader-only work registered before the election is joined, so it also runs if this process becomes leader
         * while {@link HaCluster#start()} is still running.
         */
        public Builder leaderService(String name, LeaderService service) {
            Preconditions.checkArgument(name != null && !name.isBlank(), "leader service name must not be blank");
            Preconditions.checkArgument(leaderServices.putIfAbsent(name, Preconditions.checkNotNull(service,
                    "leader service must not be null")) == null, "leader service '%s' is already registered", name);
            return this;
        }

        /**
         * How long terminal task records are kept (default 7 days) and how many at most per terminal state
         * (default 1,000,000); the leader prunes the rest every minute.
         */
        public Builder doneRetention(Duration retention, int maxRecordsPerState) {
            Preconditions.checkArgument(retention != null && !retention.isNegative() && !retention.isZero(),
                    "done retention must be positive, got %s", retention);
            this.doneRetention = retention;
            Preconditions.checkArgument(maxRecordsPerState >= 256 && maxRecordsPerState <= 100_000_000,
                    "max done records per state must be in 256-100000000, got %s", maxRecordsPerState);
            this.maxDoneRecords = maxRecordsPerState;
            return this;
        }

        /** How the leader picks an agent for a task; default capacity-weighted. */
        public Builder assignmentStrategy(AssignmentStrategy strategy) {
            this.assignmentStrategy = Preconditions.checkNotNull(strategy, "assignment strategy must not be null");
            return this;
        }

        private static Duration positive(String what, Duration d) {
            Preconditions.checkArgument(d != null && !d.isNegative() && !d.isZero(), "%s must be positive, got %s",
                    what, d);
            Preconditions.checkArgument(d.toMillis() <= Integer.MAX_VALUE, "%s is too long: %s", what, d);
            return d;
        }

        public HaCluster build() {
            if (agentId == null) {
                agentId = Names.validate("agent id", ProcessIdentity.defaultAgentId());
            }
            if (retryPolicy == null) {
                retryPolicy = new RetryUntilElapsed((int) sessionTimeout.toMillis(), 200);
            }
            Preconditions.checkArgument(connectionTimeout.compareTo(sessionTimeout) <= 0,
                    "connection timeout (%s ms) must not exceed the session timeout (%s ms)",
                    connectionTimeout.toMillis(), sessionTimeout.toMillis());
            return new HaCluster(this);
        }
    }
}
