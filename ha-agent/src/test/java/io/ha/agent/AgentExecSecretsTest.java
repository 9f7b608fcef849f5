package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.agent.cli.CtlMain;
import io.ha.agent.exec.ExecPayload;
import io.ha.agent.exec.SecretCipher;
import io.ha.core.cluster.Credentials;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Secret task variables end to end, with real agent processes: sealed and file secrets reach the command (run as
 * {@code exec.user=nobody}), never ZooKeeper or any output; bad secrets fail the task at once naming the variable;
 * bad settings stop the agent with exit code 2.
 */
@Timeout(180)
class AgentExecSecretsTest extends AgentTestBase {
    private static final String SEALED = "sealed-Value-7f3a";
    private static final String FILED = "file-Value-91c2";
    private static final String PLAIN = "plain-Value-55d0";

    private Path keyFile;
    private SecretCipher cipher;
    private Path secrets;

    @BeforeEach
    void secrets() throws Exception {
        keyFile = dir.resolve("cluster.key");
        cipher = SecretCipher.generate(keyFile);
        secrets = Files.createDirectory(dir.resolve("secrets"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        writeSecret("db", FILED + "\n", "rw-------");
    }

    private void writeSecret(String name, String content, String mode) throws Exception {
        Path file = Files.writeString(secrets.resolve(name), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    private AgentProcess agent(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("HA_EXEC_SECRETS_DIR", secrets.toString(),
                "HA_EXEC_SECRET_KEY_FILE", keyFile.toString()));
        env.putAll(extra);
        return startAgent("a1", env);
    }

    private String ctl(String... args) throws Exception {
        Map<String, String> env = Map.of("HA_ZK_CONNECT", server.getConnectString(), "HA_CLUSTER_NAME", "test",
                "HA_ZK_AUTH_FILE", credentials().file().toString(), "HA_EXEC_SECRET_KEY_FILE", keyFile.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CtlMain.execute(args, new PrintWriter(out), new PrintWriter(err),
                new ByteArrayInputStream(new byte[0]), env);
        assertThat(code).as("ha-ctl %s: %s", List.of(args), err).isZero();
        return out + err.toString();
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Every znode's data in the server, read with a plain client holding the cluster's credentials, followed by the
     * decoding of every base64 string in it (records hold payloads as base64).
     */
    private String allZnodeData() throws Exception {
        Credentials c = credentials().credentials();
        try (CuratorFramework raw = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .authorization("digest", (c.user() + ":" + c.password()).getBytes(StandardCharsets.UTF_8))
                .retryPolicy(new RetryOneTime(100)).build()) {
            raw.start();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            walk(raw, "/", all);
            String text = all.toString(StandardCharsets.UTF_8);
            StringBuilder decoded = new StringBuilder(text);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([A-Za-z0-9+/]{8,}={0,2})\"")
                    .matcher(text);
            while (m.find()) {
                try {
                    decoded.append('\n').append(new String(Base64.getDecoder().decode(m.group(1)),
                            StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // Not base64 after all: the raw text is checked anyway.
                }
            }
            return decoded.toString();
        }
    }

    private static void walk(CuratorFramework raw, String path, ByteArrayOutputStream all) throws Exception {
        if (path.equals("/zookeeper")) {
            return;
        }
        byte[] data = raw.getData().forPath(path);
        if (data != null) {
            all.write(data);
            all.write('\n');
        }
        for (String child : raw.getChildren().forPath(path)) {
            walk(raw, (path.equals("/") ? "" : path) + "/" + child, all);
        }
    }

    private static void assertHidesValues(String where, String text) {
        for (String value : List.of(SEALED, FILED, PLAIN)) {
            assertThat(text).as(where).doesNotContain(value)
                    .doesNotContain(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void secretsReachTheCommandRunAsNobodyButNeverZooKeeperNorAnyOutput() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rootOnly = Files.writeString(open.resolve("root-only"), "root's own");
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rw-------"));
        AgentProcess agent = agent(Map.of("HA_EXEC_USER", "nobody")).awaitReady(READY);
        String id = ctl("submit", "--type", "exec", "--env", "PLAIN=" + PLAIN, "--env-secret", "SEALED=" + SEALED,
                "--env-secret", "FILED=file:db", "--", "sh", "-c", "id -u; for v in \"$SEALED\" \"$FILED\" "
                        + "\"$PLAIN\"; do printf %s \"$v\" | sha256sum | cut -c1-64; done; cat " + rootOnly
                        + " > /dev/null 2>&1 || echo denied").strip();
        TaskQueue queue = observer().taskQueue();
        TaskRecord done = queue.await(id, WAIT);
        assertThat(done.state()).as("%s", done).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(done.result(), StandardCharsets.UTF_8).split("\n"))
                .containsExactly("65534", sha256(SEALED), sha256(FILED), sha256(PLAIN), "denied");

        String znodes = allZnodeData();
        assertThat(znodes).contains("file:db").contains("v1:" + cipher.keyId() + ":").contains("SEALED");
        for (String value : List.of(SEALED, FILED)) {
            assertThat(znodes).doesNotContain(value)
                    .doesNotContain(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        }

        String task = ctl("task", id);
        assertThat(task).contains("\"PLAIN\":\"***\"").contains("\"FILED\":\"(secret: file:db)\"")
                .contains("\"SEALED\":\"(secret: sealed, key " + cipher.keyId() + ")\"");
        assertHidesValues("task", task);
        assertHidesValues("task --json", ctl("--json", "task", id));
        assertHidesValues("tasks", ctl("tasks"));
        assertHidesValues("tasks --json", ctl("--json", "tasks"));
        assertHidesValues("/status", agent.get("/status").body());
        assertHidesValues("agent stdout", agent.stdout());
        assertHidesValues("agent stderr", agent.stderr());
        assertHidesValues("agent log", Files.readString(dir.resolve("logs/ha-agent-a1.log")));
    }

    @Test
    void badSecretsFailTheTaskAtOnceNamingTheVariableNotTheValue() throws Exception {
        writeSecret("open", SEALED, "rw-r-----");
        Files.writeString(dir.resolve("x"), SEALED);
        SecretCipher other = SecretCipher.generate(dir.resolve("other.key"));
        String sealed = cipher.seal("TAMPERED", SEALED);
        int cut = sealed.length() - 4;
        String tampered = sealed.substring(0, cut) + (sealed.charAt(cut) == 'A' ? 'B' : 'A')
                + sealed.substring(cut + 1);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("WRONG_KEY", other.seal("WRONG_KEY", SEALED));
        cases.put("TAMPERED", tampered);
        cases.put("MOVED", cipher.seal("ORIGINAL", SEALED));
        cases.put("MISSING", "file:missing");
        cases.put("GROUP_READABLE", "file:open");
        cases.put("ESCAPE", "file:../x");
        agent(Map.of()).awaitReady(READY);
        TaskQueue queue = observer().taskQueue();
        Map<String, String> ids = new LinkedHashMap<>();
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ids.put(c.getKey(), queue.submit(TaskSpec.builder(ExecPayload.TYPE).maxAttempts(3)
                    .payload(new ExecPayload(List.of("sh", "-c", "echo ran"), Map.of(), null, 0,
                            Map.of(c.getKey(), c.getValue())).toJson()).build()));
        }
        Map<String, String> reasons = Map.of("WRONG_KEY", "sealed under key " + other.keyId(), "TAMPERED",
                "does not authenticate", "MOVED", "does not authenticate", "MISSING", "does not exist",
                "GROUP_READABLE", "readable by group or others", "ESCAPE", "plain file");
        for (Map.Entry<String, String> e : ids.entrySet()) {
            TaskRecord r = queue.await(e.getValue(), WAIT);
            assertThat(r.state()).as("%s: %s", e.getKey(), r).isEqualTo(TaskState.FAILED);
            assertThat(r.attempt()).as("%s: no retry", e.getKey()).isEqualTo(1);
            assertThat(r.lastError()).contains("secret variable " + e.getKey() + ": ")
                    .contains(reasons.get(e.getKey())).doesNotContain(SEALED);
            assertThat(r.result()).isNull();
        }
    }

    @Test
    void exposedKeyFileOrUnknownUserStopsTheAgentWithExitCode2() throws Exception {
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        try (AgentProcess agent = agent(Map.of())) {
            assertThat(agent.awaitExit(EXIT)).as("stderr: %s", agent.stderr()).isEqualTo(2);
            assertThat(agent.stderr()).contains("exec.secret.key.file").contains(keyFile.toString())
                    .contains("readable by group or others").doesNotContain("\tat ");
            assertThat(agent.stdout()).doesNotContain(ReadyLine.PREFIX);
        }
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        try (AgentProcess agent = agent(Map.of("HA_EXEC_USER", "no-such-user-ha"))) {
            assertThat(agent.awaitExit(EXIT)).as("stderr: %s", agent.stderr()).isEqualTo(2);
            assertThat(agent.stderr()).contains("exec.user=no-such-user-ha").contains("no such user")
                    .doesNotContain("\tat ");
        }
    }
}
