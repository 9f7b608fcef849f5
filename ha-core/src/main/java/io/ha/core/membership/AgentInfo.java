package io.ha.core.membership;

import com.google.common.base.Preconditions;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an agent publishes about itself in its ephemeral node {@code /agents/<id>}. Immutable.
 *
 * @param id        the agent id (unique among live agents of a cluster)
 * @param host      host name the agent runs on
 * @param pid       operating-system process id
 * @param startedAt when the agent process started, epoch milliseconds
 * @param capacity  how many tasks it runs at once (at least 1)
 * @param labels    free-form labels for placement, such as {@code zone=eu} or {@code gpu}
 * @param version   the framework version the agent runs
 * @param http      its status endpoint ({@code host:port}), or null when it serves none
 * @param accepting true while its task worker takes new tasks (false before it starts and while it drains)
 * @param types     the task types it has handlers for (informational)
 */
public record AgentInfo(String id, String host, long pid, long startedAt, int capacity, Set<String> labels,
                        String version, String http, boolean accepting, Set<String> types) {
    public AgentInfo {
        Preconditions.checkArgument(id != null && !id.isEmpty(), "agent id must not be empty");
        Preconditions.checkArgument(capacity >= 1, "agent capacity must be at least 1, got %s", capacity);
        host = host == null ? "" : host;
        labels = labels == null ? Set.of() : Set.copyOf(new TreeSet<>(labels));
        version = version == null ? "" : version;
        types = types == null ? Set.of() : Set.copyOf(new TreeSet<>(types));
    }

    public AgentInfo withCapacity(int newCapacity) {
        return new AgentInfo(id, host, pid, startedAt, newCapacity, labels, version, http, accepting, types);
    }

    public AgentInfo withLabels(Set<String> newLabels) {
        return new AgentInfo(id, host, pid, startedAt, capacity, newLabels, version, http, accepting, types);
    }

    public AgentInfo withHttp(String newHttp) {
        return new AgentInfo(id, host, pid, startedAt, capacity, labels, version, newHttp, accepting, types);
    }

    /** The same agent taking (or no longer taking) tasks of {@code newTypes} with {@code newCapacity} slots. */
    public AgentInfo withWorker(boolean newAccepting, int newCapacity, Set<String> newTypes) {
        return new AgentInfo(id, host, pid, startedAt, newCapacity, labels, version, http, newAccepting, newTypes);
    }
}
