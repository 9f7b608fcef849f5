package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.agent.cli.CtlMain;
import io.ha.agent.exec.ExecPayload;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #15: secrets never appear in logs, {@code /status}, ha-ctl output or exception messages. A real agent with
 * its ZooKeeper credentials and HTTP token in files is driven through successes and failures (tasks that succeed
 * and fail, refused drains, ha-ctl with wrong or exposed credentials, every view in both forms); then everything it
 * and ha-ctl wrote (log files, stdout and stderr, HTTP bodies, ha-ctl streams, every znode's data and ACL ids) is
 * scanned for the password and the token, as given and in base64. A hit fails the test naming where it was.
 */
@Timeout(180)
class SecretScanTest extends AgentTestBase {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Everything produced, by where it was found. */
    private final Map<String, String> seen = new LinkedHashMap<>();

    @Test
    void noSecretGivenInFilesShowsInLogsOutputsResponsesOrZooKeeper() throws Exception {
        String token = "scan-token-" + random();
        Path tokenFile = ownerOnly(dir.resolve("http-token"), token);
        driveAndScan(token, Map.of("HA_HTTP_TOKEN_FILE", tokenFile.toString()));
    }

    @Test
    void noSecretGivenInTheEnvironmentShowsEither() throws Exception {
        // The agent's environment holds the secrets themselves: an exec task's environment must not (one task
        // prints it into its result, stored in ZooKeeper and shown by ha-ctl).
        String token = "scan-token-" + random();
        driveAndScan(token, Map.of("HA_HTTP_TOKEN", token, "HA_ZK_AUTH",
                credentials().credentials().user() + ":" + credentials().password()));
    }

    private void driveAndScan(String token, Map<String, String> secretEnv) throws Exception {
        String password = credentials().password();
        String user = credentials().credentials().user();
        AgentProcess agent = startAgent("scanned", secretEnv).awaitReady(READY);

        TaskQueue queue = observer().taskQueue();
        List<String> ids = new ArrayList<>();
        ids.add(queue.submit(exec("echo fine", 1)));
        ids.add(queue.submit(exec("echo boom >&2; exit 3", 1)));
        ids.add(queue.submit(exec("env | sort", 1)));
        for (String id : ids) {
            TaskRecord done = queue.await(id, WAIT);
            assertThat(done.state()).as("task %s: %s", id, done.lastError()).isIn(TaskState.SUCCEEDED,
                    TaskState.DEAD, TaskState.FAILED);
        }
        // The task's environment is in its stored result, so the scan of ZooKeeper covers it.
        assertThat(new String(queue.get(ids.get(2)).orElseThrow().result(), StandardCharsets.UTF_8))
                .contains("HA_TASK_ID=");

        for (String path : List.of("/status", "/metrics", "/health", "/ready", "/nothing-here")) {
            record("GET " + path, agent.get(path));
        }
        assertThat(record("POST /drain without token", agent.post("/drain", null))).isEqualTo(401);
        assertThat(record("POST /drain with the token and more", agent.post("/drain", token + "x"))).isEqualTo(401);
        assertThat(record("POST /drain with a wrong token", agent.post("/drain", "wrong-" + random())))
                .isEqualTo(401);

        Map<String, String> good = Map.of("HA_ZK_AUTH_FILE", credentials().file().toString());
        for (String[] args : List.of(new String[] {"status"}, new String[] {"status", "--json"},
                new String[] {"agents"}, new String[] {"agents", "--json"}, new String[] {"tasks"},
                new String[] {"tasks", "--json"}, new String[] {"leader", "--json"})) {
            assertThat(ctl(good, args)).as(String.join(" ", args)).isZero();
        }
        for (String id : ids) {
            assertThat(ctl(good, "task", id, "--json")).isZero();
            assertThat(ctl(good, "task", id)).isZero();
        }
        Path exposed = Files.writeString(dir.resolve("exposed-auth"), user + ":" + password + "\n");
        Files.setPosixFilePermissions(exposed, PosixFilePermissions.fromString("rw-r--r--"));
        Path wrongFile = ownerOnly(dir.resolve("wrong-auth"), user + ":" + password + "-not");
        assertThat(ctl(Map.of("HA_ZK_AUTH", user + ":wrong-" + random()), "status")).isEqualTo(1);
        assertThat(ctl(Map.of("HA_ZK_AUTH", password), "status")).isEqualTo(2);
        assertThat(ctl(Map.of("HA_ZK_AUTH", user + ":" + password, "HA_ZK_AUTH_FILE",
                credentials().file().toString()), "status")).isEqualTo(2);
        assertThat(ctl(Map.of(), "--auth-file", exposed.toString(), "status")).isEqualTo(2);
        assertThat(ctl(Map.of(), "--auth-file", wrongFile.toString(), "tasks", "--json")).isEqualTo(1);
        assertThat(ctl(Map.of(), "agents")).isEqualTo(1);

        assertThat(record("POST /drain with the token", agent.post("/drain", token))).isEqualTo(202);
        agent.terminate();
        assertThat(agent.awaitExit(EXIT)).isZero();
        seen.put("agent stdout", agent.stdout());
        seen.put("agent stderr", agent.stderr());
        try (Stream<Path> logs = Files.walk(dir.resolve("logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                seen.put("log file " + log, Files.readString(log, StandardCharsets.UTF_8));
            }
        }
        dumpZooKeeper(user + ":" + password);
        assertThat(seen.keySet()).as("scanned places").anyMatch(k -> k.startsWith("log file "))
                .anyMatch(k -> k.startsWith("znode "));

        assertThat(hits(seen, Map.of("the ZooKeeper password", password, "the ZooKeeper credentials",
                user + ":" + password, "the HTTP token", token)))
                .as("secrets found in what the agent and ha-ctl produced").isEmpty();
    }

    @Test
    void theScanFindsASecretInEveryFormItLooksFor() {
        String secret = "planted-" + random();
        Map<String, String> places = Map.of(
                "plain", "x " + secret + " y",
                "base64", "Authorization: Basic " + Base64.getEncoder().encodeToString(("u:" + secret)
                        .getBytes(StandardCharsets.UTF_8)).substring(0, 8) + " and " + Base64.getEncoder()
                        .encodeToString(secret.getBytes(StandardCharsets.UTF_8)),
                "base64url", Base64.getUrlEncoder().withoutPadding().encodeToString(secret
                        .getBytes(StandardCharsets.UTF_8)),
                "clean", "nothing to see");
        assertThat(hits(places, Map.of("the planted secret", secret)))
                .contains("the planted secret in plain", "the planted secret (base64) in base64",
                        "the planted secret (base64url) in base64url")
                .noneMatch(hit -> hit.endsWith(" in clean"));
    }

    /** Each secret form found, as "what in where". */
    private static List<String> hits(Map<String, String> places, Map<String, String> secrets) {
        List<String> found = new ArrayList<>();
        secrets.forEach((name, value) -> {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            Map<String, String> forms = new LinkedHashMap<>();
            forms.put(name, value);
            forms.put(name + " (base64)", Base64.getEncoder().withoutPadding().encodeToString(bytes));
            forms.put(name + " (base64url)", Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
            places.forEach((where, text) -> forms.forEach((form, needle) -> {
                if (text != null && text.contains(needle)) {
                    found.add(form + " in " + where);
                }
            }));
        });
        return found;
    }

    private int record(String what, HttpResponse<String> response) {
        seen.put("HTTP " + what + " (" + response.statusCode() + ")", response.headers().map() + "\n"
                + response.body());
        return response.statusCode();
    }

    private int ctl(Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("HA_ZK_CONNECT", server.getConnectString(),
                "HA_CLUSTER_NAME", "test"));
        env.putAll(extraEnv);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CtlMain.execute(args, new PrintWriter(out), new PrintWriter(err),
                new ByteArrayInputStream(new byte[0]), env);
        String what = "ha-ctl " + String.join(" ", args) + " with " + extraEnv.keySet() + " (exit " + code + ")";
        seen.put(what + " stdout", out.toString());
        seen.put(what + " stderr", err.toString());
        return code;
    }

    /** Every znode's data and ACL ids, read with the cluster's credentials. */
    private void dumpZooKeeper(String auth) throws Exception {
        try (CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100)).authorization("digest", auth.getBytes(StandardCharsets.UTF_8))
                .build()) {
            zk.start();
            zk.blockUntilConnected();
            List<String> todo = new ArrayList<>(List.of("/"));
            while (!todo.isEmpty()) {
                String path = todo.remove(todo.size() - 1);
                byte[] data = zk.getData().forPath(path);
                StringBuilder acl = new StringBuilder();
                for (ACL a : zk.getACL().forPath(path)) {
                    acl.append(a.getId()).append(' ');
                }
                seen.put("znode " + path, (data == null ? "" : new String(data, StandardCharsets.UTF_8))
                        + "\nACL " + acl);
                for (String child : zk.getChildren().forPath(path)) {
                    todo.add(path.equals("/") ? "/" + child : path + "/" + child);
                }
            }
        }
    }

    private static TaskSpec exec(String script, int attempts) {
        return TaskSpec.builder(ExecPayload.TYPE)
                .payload(new ExecPayload(List.of("sh", "-c", script), Map.of(), null, 10_000).toJson())
                .maxAttempts(attempts)
                .build();
    }

    private static Path ownerOnly(Path file, String content) throws Exception {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static String random() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
