package io.ha.core.cluster;

import com.google.common.base.Preconditions;
import io.ha.core.Names;
import io.ha.core.leader.LeaderService;
import io.ha.core.session.ConnectionPolicy;
import io.ha.core.session.EventTimeline;
import io.ha.core.task.AssignmentStrategy;
import io.ha.core.task.TaskQueue;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.curator.RetryPolicy;
import org.apache.curator.retry.RetryUntilElapsed;

/**
 * The settings of one {@link HaCluster}, validated and immutable: built by {@link HaClusterBuilder#build()}, which
 * never writes back into the builder.
 *
 * <p>Guarantee: an instance exists only with every setting in range and the combination consistent (the connection
 * timeout does not exceed the session timeout); each error names the setting and the value. Defaults that depend on
 * other settings (the agent id from the host, the retry policy from the session timeout) are resolved here. Not
 * checked: that ZooKeeper is reachable or that the credentials are right; {@link HaCluster#start()} finds that out.
 *
 * @param connectString    ZooKeeper servers, or null to start an embedded server
 * @param credentials      digest credentials, or null for none
 * @param httpEndpoint     the agent's status endpoint to publish, or null
 * @param leaderServices   leader-only work by name, in registration order
 * @param maxDoneRecords   terminal records kept per terminal state
 * @param tls              TLS to ZooKeeper, or null for a plain connection (refused with the embedded server)
 * @param roles            the identities of the cluster's agents, submitters and readers, or null for one shared
 *                         identity (needs credentials)
 * @param maxAgentCapacity the most task slots the leader counts for any one agent, whatever it declares
 * @param followReconfig   whether the client follows the ensemble's dynamic reconfiguration (Curator's ensemble
 *                         tracker) instead of keeping to the servers of {@code connectString}
 */
public record ClusterConfig(
        String connectString,
        String clusterName,
        String rootPath,
        String agentId,
        Duration sessionTimeout,
        Duration connectionTimeout,
        Duration leaderStopTimeout,
        RetryPolicy retryPolicy,
        Credentials credentials,
        ConnectionPolicy connectionPolicy,
        ClusterRole role,
        int capacity,
        Set<String> labels,
        String httpEndpoint,
        int timelineCapacity,
        int maxTaskPayloadBytes,
        AssignmentStrategy assignmentStrategy,
        Map<String, LeaderService> leaderServices,
        Duration doneRetention,
        int maxDoneRecords,
        ZooKeeperTls tls,
        Roles roles,
        int maxAgentCapacity,
        boolean followReconfig) {
    /** Default session timeout: 15 s. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(15);
    /** Default connection timeout: 10 s. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);
    /** Default cap on one agent's counted task slots. */
    public static final int DEFAULT_MAX_AGENT_CAPACITY = 1024;

    public ClusterConfig {
        connectString = connectString == null ? null : ConnectStrings.validate(connectString.trim());
        Names.validate("cluster name", clusterName);
        rootPath(rootPath);
        agentId = Names.validate("agent id", agentId == null ? ProcessIdentity.defaultAgentId() : agentId);
        positive("session timeout", sessionTimeout);
        positive("connection timeout", connectionTimeout);
        positive("leader stop timeout", leaderStopTimeout);
        Preconditions.checkArgument(connectionTimeout.compareTo(sessionTimeout) <= 0,
                "connection timeout (%s ms) must not exceed the session timeout (%s ms)",
                connectionTimeout.toMillis(), sessionTimeout.toMillis());
        retryPolicy = retryPolicy == null ? defaultRetryPolicy(sessionTimeout) : retryPolicy;
        Preconditions.checkNotNull(connectionPolicy, "connection policy must not be null");
        Preconditions.checkNotNull(role, "role must not be null");
        capacity(capacity);
        labels = labels(labels);
        timelineCapacity(timelineCapacity);
        maxTaskPayloadBytes(maxTaskPayloadBytes);
        Preconditions.checkNotNull(assignmentStrategy, "assignment strategy must not be null");
        leaderServices = Collections.unmodifiableMap(new LinkedHashMap<>(leaderServices)); // registration order
        doneRetention(doneRetention, maxDoneRecords);
        Preconditions.checkArgument(tls == null || connectString != null,
                "TLS to ZooKeeper needs a connect string: the embedded server listens on loopback without TLS");
        Preconditions.checkArgument(roles == null || credentials != null,
                "roles need credentials: each process connects with the identity its role lists");
        maxAgentCapacity(maxAgentCapacity);
        Preconditions.checkArgument(role != ClusterRole.MEMBER || capacity <= maxAgentCapacity,
                "capacity %s exceeds the max agent capacity %s", capacity, maxAgentCapacity);
    }

    static int maxAgentCapacity(int max) {
        Preconditions.checkArgument(max >= 1 && max <= 1_000_000, "max agent capacity must be in 1-1000000, got %s",
                max);
        return max;
    }

    /**
     * Default retry policy: every 200 ms until one session timeout has elapsed (past that the session is lost
     * anyway, and callers get a clear error instead of a long hang).
     */
    static RetryPolicy defaultRetryPolicy(Duration sessionTimeout) {
        return new RetryUntilElapsed((int) sessionTimeout.toMillis(), 200);
    }

    static Duration positive(String what, Duration d) {
        Preconditions.checkArgument(d != null && !d.isNegative() && !d.isZero(), "%s must be positive, got %s",
                what, d);
        Preconditions.checkArgument(d.toMillis() <= Integer.MAX_VALUE, "%s is too long: %s", what, d);
        return d;
    }

    static String rootPath(String path) {
        Preconditions.checkArgument(path != null && path.startsWith("/") && !path.endsWith("/")
                && !path.contains("//"), "root path must look like /name[/name...], got '%s'", path);
        for (String segment : path.substring(1).split("/")) {
            Names.validate("root path segment", segment);
        }
        return path;
    }

    static int capacity(int capacity) {
        Preconditions.checkArgument(capacity >= 1, "capacity must be at least 1, got %s", capacity);
        return capacity;
    }

    static Set<String> labels(Set<String> labels) {
        Preconditions.checkArgument(labels != null, "labels must not be null");
        for (String label : labels) {
            Preconditions.checkArgument(label != null && !label.isBlank() && label.length() <= Names.MAX_LENGTH,
                    "label must be non-blank and at most %s characters: '%s'", Names.MAX_LENGTH, label);
        }
        return Set.copyOf(labels);
    }

    static int timelineCapacity(int capacity) {
        Preconditions.checkArgument(capacity >= 1, "timeline capacity must be at least 1, got %s", capacity);
        return capacity;
    }

    static int maxTaskPayloadBytes(int bytes) {
        Preconditions.checkArgument(bytes >= 0 && bytes <= TaskQueue.MAX_PAYLOAD_CEILING,
                "max task payload must be in 0-%s bytes, got %s", TaskQueue.MAX_PAYLOAD_CEILING, bytes);
        return bytes;
    }

    static void doneRetention(Duration retention, int maxRecordsPerState) {
        Preconditions.checkArgument(retention != null && !retention.isNegative() && !retention.isZero(),
                "done retention must be positive, got %s", retention);
        Preconditions.checkArgument(maxRecordsPerState >= 256 && maxRecordsPerState <= 100_000_000,
                "max done records per state must be in 256-100000000, got %s", maxRecordsPerState);
    }

    /** The default timeline capacity, for builders. */
    static int defaultTimelineCapacity() {
        return EventTimeline.DEFAULT_CAPACITY;
    }

    @Override
    public String toString() {
        // Credentials print as user=...,password=****; leader services and strategy by class only.
        return "ClusterConfig[cluster=" + clusterName + ", root=" + rootPath + ", agent=" + agentId + ", role=" + role
                + ", zk=" + (connectString == null ? "embedded" : connectString) + ", session=" + sessionTimeout
                + ", credentials=" + credentials + (tls == null ? "" : ", " + tls)
                + (roles == null ? "" : ", roles=" + roles.agents().size() + " agents/" + roles.submitters().size()
                + " submitters/" + roles.readers().size() + " readers") + "]";
    }
}
