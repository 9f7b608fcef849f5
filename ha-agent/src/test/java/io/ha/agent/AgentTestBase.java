package io.ha.agent;

import io.ha.agent.exec.ExecPayload;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskSpec;
import io.ha.core.testing.ZkTestBase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real agent processes against this test's ZooKeeper server (cluster "test", short sessions), and an observer in
 * the test's JVM to submit and inspect tasks.
 */
abstract class AgentTestBase extends ZkTestBase {
    static final Duration READY = Duration.ofSeconds(40);
    static final Duration EXIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    /** This test's cluster credentials (a 0600 file in {@link #dir}), given to every agent and to the observer. */
    TestCredentials credentials() throws Exception {
        return TestCredentials.in(dir);
    }

    /**
     * Starts an agent with short timeouts and this test's credentials (unless {@code env} sets HA_ZK_AUTH or
     * HA_ZK_AUTH_FILE itself); {@code env} adds or overrides HA_* variables.
     */
    AgentProcess startAgent(String id, Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of(
                "HA_ZK_CONNECT", server.getConnectString(),
                "HA_CLUSTER_NAME", "test",
                "HA_AGENT_ID", id,
                "HA_SESSION_TIMEOUT", SESSION.toMillis() + "ms",
                "HA_CONNECTION_TIMEOUT", CONNECTION.toMillis() + "ms",
                "HA_LOG_DIR", dir.resolve("logs").toString(),
                "HA_PLUGINS_DIR", dir.resolve("no-plugins").toString(),
                "HA_EXEC_KILL_GRACE", "1s"));
        if (!env.containsKey("HA_ZK_AUTH") && !env.containsKey("HA_ZK_AUTH_FILE")) {
            all.put("HA_ZK_AUTH_FILE", credentials().file().toString());
        }
        all.putAll(env);
        return closeLater(AgentProcess.start(dir.resolve("work-" + id), all));
    }

    /** A non-member client of the test cluster, with its credentials. */
    HaCluster observer() throws Exception {
        Credentials c = credentials().credentials();
        return member("observer", b -> b.role(ClusterRole.OBSERVER).credentials(c));
    }

    static TaskSpec exec(String script, long timeoutMs) {
        return TaskSpec.builder(ExecPayload.TYPE)
                .payload(new ExecPayload(List.of("sh", "-c", script), Map.of(), null, timeoutMs).toJson())
                .maxAttempts(3)
                .build();
    }

    /**
     * The value of the Prometheus sample {@code name} whose labels include {@code labels} (as {@code k="v"}), or
     * null when there is none.
     */
    static Double metric(String text, String name, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(text);
        while (m.find()) {
            String set = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String l : labels) {
                all &= set.contains(l);
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        return null;
    }
}
