package io.ha.agent.http;

import io.ha.core.cluster.HaCluster;
import java.util.Map;

/** What the HTTP endpoint asks of the agent; every method must be safe to call before the agent is connected. */
public interface AgentEndpoints {
    /** True when connected and registered. */
    boolean ready();

    /** The status document, or null while the agent is not started. */
    Map<String, Object> status();

    /** Prometheus text. */
    String metrics();

    /**
     * Starts draining (stop taking tasks, let running ones finish up to the drain timeout, hand the rest back) while
     * the agent stays up and registered.
     *
     * @return false when a drain was already under way or done
     */
    boolean drain(String requestedBy);

    /** The cluster the web console shows and steers, or null while the agent is not connected. */
    default HaCluster cluster() {
        return null;
    }
}
