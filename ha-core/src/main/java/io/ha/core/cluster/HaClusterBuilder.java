package io.ha.core.cluster;

import com.google.common.base.Preconditions;
import io.ha.core.Names;
import io.ha.core.leader.LeaderService;
import io.ha.core.membership.AgentInfo;
import io.ha.core.session.ConnectionPolicy;
import io.ha.core.task.AssignmentStrategies;
import io.ha.core.task.AssignmentStrategy;
import io.ha.core.task.TaskQueue;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.curator.RetryPolicy;

/**
 * Settings of an {@link HaCluster}. Every setter validates its argument and names the setting in its error;
 * {@link #build()} checks the combination and returns a cluster over an immutable {@link ClusterConfig}, leaving
 * the builder as it was.
 */
public final class HaClusterBuilder {
    private String connectString;
    private String clusterName = "default";
    private String rootPath = "/ha";
    private String agentId;
    private Duration sessionTimeout = ClusterConfig.DEFAULT_SESSION_TIMEOUT;
    private Duration connectionTimeout = ClusterConfig.DEFAULT_CONNECTION_TIMEOUT;
    private boolean followReconfig;
    private Duration leaderStopTimeout = Duration.ofSeconds(10);
    private RetryPolicy retryPolicy;
    private Credentials credentials;
    private ConnectionPolicy connectionPolicy = ConnectionPolicy.SUSPENDED_IS_LOSS;
    private ClusterRole role = ClusterRole.MEMBER;
    private int capacity = Runtime.getRuntime().availableProcessors();
    private Roles roles;
    private int maxAgentCapacity = ClusterConfig.DEFAULT_MAX_AGENT_CAPACITY;
    private Set<String> labels = Set.of();
    private String httpEndpoint;
    private int timelineCapacity = ClusterConfig.defaultTimelineCapacity();
    private int maxTaskPayloadBytes = TaskQueue.DEFAULT_MAX_PAYLOAD;
    private AssignmentStrategy assignmentStrategy = AssignmentStrategies.capacityWeighted();
    private final Map<String, LeaderService> leaderServices = new LinkedHashMap<>();
    private Duration doneRetention = Duration.ofDays(7);
    private int maxDoneRecords = 1_000_000;
    private ZooKeeperTls tls;

    HaClusterBuilder() {
    }

    /** ZooKeeper servers, {@code host:port[,host:port...][/chroot]}; null (default) starts an embedded server. */
    public HaClusterBuilder connectString(String connectString) {
        this.connectString = connectString == null ? null : ConnectStrings.validate(connectString.trim());
        return this;
    }

    /** The cluster's name; its nodes live under {@code <root>/<name>}. Default {@code default}. */
    public HaClusterBuilder clusterName(String name) {
        this.clusterName = Names.validate("cluster name", name);
        return this;
    }

    /** Root path of all clusters, default {@code /ha}. */
    public HaClusterBuilder rootPath(String path) {
        this.rootPath = ClusterConfig.rootPath(path);
        return this;
    }

    /** This process's agent id; default {@code <hostname>-<pid>}. */
    public HaClusterBuilder agentId(String id) {
        this.agentId = Names.validate("agent id", id);
        return this;
    }

    public HaClusterBuilder sessionTimeout(Duration timeout) {
        this.sessionTimeout = ClusterConfig.positive("session timeout", timeout);
        return this;
    }

    public HaClusterBuilder connectionTimeout(Duration timeout) {
        this.connectionTimeout = ClusterConfig.positive("connection timeout", timeout);
        return this;
    }

    /** How long leader services get to return after leadership is lost before a warning is logged. */
    public HaClusterBuilder leaderStopTimeout(Duration timeout) {
        this.leaderStopTimeout = ClusterConfig.positive("leader stop timeout", timeout);
        return this;
    }

    /**
     * How ZooKeeper operations are retried through connection loss. Default: every 200 ms until one session
     * timeout has elapsed (past that the session is lost anyway, and callers get a clear error instead of a
     * long hang).
     */
    public HaClusterBuilder retryPolicy(RetryPolicy policy) {
        this.retryPolicy = Preconditions.checkNotNull(policy, "retry policy must not be null");
        return this;
    }

    /** Digest credentials; every node the framework creates becomes creator-only. */
    public HaClusterBuilder credentials(Credentials credentials) {
        this.credentials = credentials;
        return this;
    }

    public HaClusterBuilder connectionPolicy(ConnectionPolicy policy) {
        this.connectionPolicy = Preconditions.checkNotNull(policy, "connection policy must not be null");
        return this;
    }

    public HaClusterBuilder role(ClusterRole role) {
        this.role = Preconditions.checkNotNull(role, "role must not be null");
        return this;
    }

    /** How many tasks this agent runs at once, published in its {@link AgentInfo}. */
    public HaClusterBuilder capacity(int capacity) {
        this.capacity = ClusterConfig.capacity(capacity);
        return this;
    }

    public HaClusterBuilder labels(Set<String> labels) {
        this.labels = ClusterConfig.labels(labels);
        return this;
    }

    /** The agent's status endpoint ({@code host:port}) published in its {@link AgentInfo}. */
    public HaClusterBuilder httpEndpoint(String endpoint) {
        this.httpEndpoint = endpoint;
        return this;
    }

    public HaClusterBuilder timelineCapacity(int capacity) {
        this.timelineCapacity = ClusterConfig.timelineCapacity(capacity);
        return this;
    }

    /** Largest task payload accepted at submit, default 256 KiB, at most 512 KiB. */
    public HaClusterBuilder maxTaskPayloadBytes(int bytes) {
        this.maxTaskPayloadBytes = ClusterConfig.maxTaskPayloadBytes(bytes);
        return this;
    }

    /**
     * Leader-only work registered before the election is joined, so it also runs if this process becomes leader
     * while {@link HaCluster#start()} is still running.
     */
    public HaClusterBuilder leaderService(String name, LeaderService service) {
        Preconditions.checkArgument(name != null && !name.isBlank(), "leader service name must not be blank");
        Preconditions.checkArgument(leaderServices.putIfAbsent(name, Preconditions.checkNotNull(service,
                "leader service must not be null")) == null, "leader service '%s' is already registered", name);
        return this;
    }

    /**
     * How long terminal task records are kept (default 7 days) and how many at most per terminal state
     * (default 1,000,000); the leader prunes the rest every minute.
     */
    public HaClusterBuilder doneRetention(Duration retention, int maxRecordsPerState) {
        ClusterConfig.doneRetention(retention, maxRecordsPerState);
        this.doneRetention = retention;
        this.maxDoneRecords = maxRecordsPerState;
        return this;
    }

    /** TLS to ZooKeeper (null, the default: a plain connection); needs a connect string. */
    public HaClusterBuilder tls(ZooKeeperTls tls) {
        this.tls = tls;
        return this;
    }

    /**
     * Separate identities for agents, submitters and readers (default none: one shared identity). Needs
     * {@link #credentials}, which must be listed with the role this process plays; every process of the cluster must
     * be given the same roles.
     */
    public HaClusterBuilder roles(Roles roles) {
        this.roles = roles;
        return this;
    }

    /**
     * The most task slots the leader counts for one agent, whatever its registration declares (default 1024), so
     * that a rogue or misconfigured registration cannot attract the whole queue.
     */
    public HaClusterBuilder maxAgentCapacity(int max) {
        this.maxAgentCapacity = ClusterConfig.maxAgentCapacity(max);
        return this;
    }

    /**
     * Whether the client follows the ensemble's dynamic reconfiguration (default false). By default the client talks
     * to the servers of the connect string and no others, whatever the ensemble's configuration lists. With
     * {@code true}, Curator's ensemble tracker reads {@code /zookeeper/config} and replaces the connect string with
     * the client addresses the servers list there, so servers added by {@code reconfig} are used without a restart;
     * turn it on only where clients can reach the servers at those addresses (not through NAT, a proxy or a load
     * balancer, and with TLS only when the certificates name those addresses).
     */
    public HaClusterBuilder followEnsembleReconfig(boolean follow) {
        this.followReconfig = follow;
        return this;
    }

    /** How the leader picks an agent for a task; default capacity-weighted. */
    public HaClusterBuilder assignmentStrategy(AssignmentStrategy strategy) {
        this.assignmentStrategy = Preconditions.checkNotNull(strategy, "assignment strategy must not be null");
        return this;
    }

    /** The validated settings, without building a cluster. */
    public ClusterConfig config() {
        return new ClusterConfig(connectString, clusterName, rootPath, agentId, sessionTimeout, connectionTimeout,
                leaderStopTimeout, retryPolicy, credentials, connectionPolicy, role, capacity, labels,
                httpEndpoint, timelineCapacity, maxTaskPayloadBytes, assignmentStrategy, leaderServices,
                doneRetention, maxDoneRecords, tls, roles, maxAgentCapacity, followReconfig);
    }

    public HaCluster build() {
        return new HaCluster(config());
    }
}
