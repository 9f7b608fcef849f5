package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ha.agent.plugin.PluginJars;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One real agent process: its HTTP endpoint, its exec and plug-in handlers, and a drain over HTTP. */
@Timeout(90)
class AgentHttpTest extends AgentTestBase {
    private static final String TOKEN = "test-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servesStatusAndMetricsRunsExecAndPluginTasksAndDrainsOverHttp() throws Exception {
        PluginJars.build(dir.resolve("plugin-build"), dir.resolve("plugins/upper.jar"),
                Map.of("UpperProvider", PluginJars.providerSource("UpperProvider", "upper", 1)));
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        Files.setPosixFilePermissions(dir.resolve("token"), PosixFilePermissions.fromString("rw-------"));
        AgentProcess agent = startAgent("web-1", Map.of(
                "HA_PLUGINS_DIR", dir.resolve("plugins").toString(),
                "HA_HTTP_TOKEN_FILE", dir.resolve("token").toString(),
                "HA_ZK_AUTH", "ops:zk-secret-pw",
                "HA_LABELS", "zone=a, gpu",
                "HA_CAPACITY", "4",
                "HA_EXEC_CONCURRENCY", "2"))
                .awaitReady(READY);
        assertThat(agent.readyLine()).isEqualTo(agent.ready().line());
        assertThat(agent.ready().id()).isEqualTo("web-1");
        assertThat(agent.ready().http()).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(agent.ready().zk()).matches("127\\.0\\.0\\.1:\\d+");
        // The agent created the cluster's nodes creator-only with its credentials: the observer needs them too.
        HaCluster client = member("observer", b -> b.role(io.ha.core.cluster.ClusterRole.OBSERVER)
                .credentials(io.ha.core.cluster.Credentials.parse("ops:zk-secret-pw")));
        TaskQueue queue = client.taskQueue();

        assertThat(agent.get("/health").statusCode()).isEqualTo(200);
        assertThat(agent.get("/ready").statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> client.membership().get("web-1").map(AgentInfo::accepting).orElse(false));
        AgentInfo info = client.membership().get("web-1").orElseThrow();
        assertThat(info.http()).isEqualTo(agent.http());
        assertThat(info.types()).containsExactlyInAnyOrder("exec", "upper");
        assertThat(info.labels()).containsExactlyInAnyOrder("zone=a", "gpu");

        TaskRecord echoed = queue.await(queue.submit(exec("echo hello", 10_000)), WAIT);
        assertThat(echoed.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(echoed.result(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
        // Commands do not inherit the agent's HA_* variables, which hold its secrets; they get only the task's own.
        TaskRecord env = queue.await(queue.submit(exec("env", 10_000)), WAIT);
        String vars = new String(env.result(), StandardCharsets.UTF_8);
        assertThat(vars).doesNotContain("zk-secret-pw").contains("HA_TASK_ID=" + env.id() + "\n")
                .contains("HA_TASK_ATTEMPT=1\n");
        assertThat(vars.lines().filter(l -> l.startsWith("HA_")).map(l -> l.substring(0, l.indexOf('='))))
                .containsExactlyInAnyOrder("HA_TASK_ID", "HA_TASK_ATTEMPT");
        TaskRecord failed = queue.await(queue.submit(TaskSpec.builder("exec").maxAttempts(1)
                .payload(exec("echo bad input; exit 4", 0).payload()).build()), WAIT);
        assertThat(failed.state()).isEqualTo(TaskState.DEAD);
        assertThat(failed.lastError()).contains("exit code 4").contains("bad input");
        TaskRecord upper = queue.await(queue.submit(TaskSpec.builder("upper").payload("plug-in").build()), WAIT);
        assertThat(upper.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(upper.result(), StandardCharsets.UTF_8)).isEqualTo("PLUG-IN");

        client.limits().set(io.ha.core.task.TypeLimit.of("exec").maxRunning(5).build());
        String longTask = queue.submit(exec("sleep 60", 0));
        await().atMost(WAIT).until(() -> status(agent).path("running").size() == 1);
        JsonNode status = status(agent);
        assertThat(status.at("/limits/0/type").asText()).isEqualTo("exec");
        assertThat(status.at("/limits/0/maxRunning").asInt()).isEqualTo(5);
        assertThat(status.at("/limits/0/running").asInt()).isEqualTo(1);
        assertThat(status.at("/agent/id").asText()).isEqualTo("web-1");
        assertThat(status.at("/agent/accepting").asBoolean()).isTrue();
        assertThat(status.at("/agent/draining").asBoolean()).isFalse();
        assertThat(status.at("/agent/capacity").asInt()).isEqualTo(3);
        assertThat(texts(status.at("/agent/labels"))).containsExactlyInAnyOrder("zone=a", "gpu");
        assertThat(status.at("/session/state").asText()).isEqualTo("CONNECTED");
        assertThat(status.at("/leader/id").asText()).isEqualTo("web-1");
        assertThat(status.at("/leader/self").asBoolean()).isTrue();
        assertThat(status.at("/leader/epoch").asLong()).isPositive();
        assertThat(status.at("/members").size()).isEqualTo(1);
        assertThat(status.at("/members/0/http").asText()).isEqualTo(agent.http());
        assertThat(status.at("/tasks/SUCCEEDED").asLong()).isEqualTo(3);
        assertThat(status.at("/tasks/DEAD").asLong()).isEqualTo(1);
        assertThat(status.at("/tasks/RUNNING").asLong()).isEqualTo(1);
        assertThat(status.at("/running/0/id").asText()).isEqualTo(longTask);
        assertThat(status.at("/running/0/type").asText()).isEqualTo("exec");
        assertThat(status.at("/running/0/progress").asInt()).isEqualTo(-1);
        assertThat(StreamSupport.stream(status.at("/events").spliterator(), false).map(e -> e.path("kind").asText()))
                .contains("CONNECTED", "REGISTERED", "ELECTED");
        assertThat(agent.get("/status").body()).doesNotContain("zk-secret-pw").doesNotContain(TOKEN);

        String metrics = agent.get("/metrics").body();
        assertThat(metric(metrics, "ha_session_state", "state=\"CONNECTED\"")).isEqualTo(1.0);
        assertThat(metric(metrics, "ha_session_state", "state=\"SUSPENDED\"")).isEqualTo(0.0);
        assertThat(metric(metrics, "ha_leader")).isEqualTo(1.0);
        assertThat(metric(metrics, "ha_members")).isEqualTo(1.0);
        assertThat(metric(metrics, "ha_agent_tasks_total", "type=\"exec\"", "outcome=\"succeeded\"")).isEqualTo(2.0);
        assertThat(metric(metrics, "ha_agent_tasks_total", "type=\"exec\"", "outcome=\"failed\"")).isEqualTo(1.0);
        assertThat(metric(metrics, "ha_agent_tasks_total", "type=\"upper\"", "outcome=\"succeeded\"")).isEqualTo(1.0);
        assertThat(metric(metrics, "ha_agent_tasks_running", "type=\"exec\"")).isEqualTo(1.0);
        assertThat(metric(metrics, "ha_cluster_tasks", "state=\"SUCCEEDED\"")).isEqualTo(3.0);
        assertThat(metric(metrics, "ha_cluster_tasks", "state=\"RUNNING\"")).isEqualTo(1.0);
        assertThat(metric(metrics, "ha_task_run_seconds_count", "type=\"exec\"", "outcome=\"succeeded\""))
                .isEqualTo(2.0);
        assertThat(metric(metrics, "ha_task_run_seconds_bucket", "type=\"upper\"", "le=\"+Inf\"")).isEqualTo(1.0);
        assertThat(metric(metrics, "ha_task_dispatch_latency_seconds_count", "type=\"exec\"")).isEqualTo(4.0);
        assertThat(metric(metrics, "ha_task_dispatch_latency_seconds_bucket", "type=\"exec\"", "le=\"+Inf\""))
                .isEqualTo(4.0);
        assertThat(metric(metrics, "ha_task_reassignments_total")).isEqualTo(0.0);

        // Cancelling interrupts the handler, which kills the command.
        assertThat(queue.cancel(longTask)).isTrue();
        await().atMost(WAIT).until(() -> status(agent).path("running").isEmpty());
        await().atMost(WAIT).until(() -> metric(agent.get("/metrics").body(), "ha_agent_tasks_total",
                "type=\"exec\"", "outcome=\"stopped\"") != null);

        // Drain over HTTP: the token is required; the agent stays up and registered but takes no new task.
        assertThat(agent.post("/drain", null).statusCode()).isEqualTo(401);
        assertThat(agent.post("/drain", "not-the-token-0123456789").statusCode()).isEqualTo(401);
        assertThat(agent.post("/drain", TOKEN).statusCode()).isEqualTo(202);
        await().atMost(WAIT).until(() -> "drained".equals(status(agent).at("/agent/drain").asText()));
        assertThat(status(agent).at("/agent/accepting").asBoolean()).isFalse();
        await().atMost(WAIT).until(() -> !client.membership().get("web-1").orElseThrow().accepting());
        assertThat(agent.get("/ready").statusCode()).isEqualTo(200);
        String parked = queue.submit(exec("echo never here", 0));
        // No accepting agent exists: the task stays pending.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> queue.get(parked).orElseThrow().state() == TaskState.PENDING);

        agent.terminate();
        assertThat(agent.awaitExit(EXIT)).isZero();
        assertThat(agent.stderr()).doesNotContain("zk-secret-pw").doesNotContain(TOKEN);
        assertThat(Files.readString(dir.resolve("logs/ha-agent-web-1.log"))).doesNotContain("zk-secret-pw")
                .doesNotContain(TOKEN).contains("draining (http 127.0.0.1)");
        assertThat(Set.of(agent.stdout().split("\n"))).allSatisfy(l -> assertThat(l).startsWith(ReadyLine.PREFIX));
    }

    private static JsonNode status(AgentProcess agent) throws Exception {
        return JSON.readTree(agent.get("/status").body());
    }

    private static java.util.List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
