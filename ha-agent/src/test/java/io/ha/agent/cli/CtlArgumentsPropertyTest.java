package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TypeLimit;
import io.ha.core.testing.RandomCases;
import io.ha.core.testing.RandomCases.Gen;
import io.ha.core.testing.ZkTestBase;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random argument vectors and {@code HA_*} variables to ha-ctl, run in-process (as {@link CtlTestBase} does) against
 * a real server holding a cluster with tasks, schedules and a limit: the exit code is 0, 1 or 2; neither stream
 * shows a Java stack trace or a Java exception class name (an operator gets one line naming the problem); no
 * command hangs; and a command that fails with exit 2 (usage or configuration) leaves every znode of the cluster as
 * it was. Commands that wait by design ({@code wait}, {@code watch}, {@code drain}, {@code trigger-now}) and those
 * that rewrite ACLs or key files ({@code secure}, {@code secret-key}) are left out. Cases come from
 * {@link RandomCases} (a failure names its seed; the task ids it picks from are new on every run).
 */
class CtlArgumentsPropertyTest {
    private static final List<List<String>> COMMANDS = List.of(List.of("status"), List.of("agents"),
            List.of("leader"), List.of("task"), List.of("tasks"), List.of("limits"), List.of("schedules"),
            List.of("group"), List.of("cancel"), List.of("retry"), List.of("submit"), List.of("limit", "set"),
            List.of("limit", "rm"), List.of("schedule", "add"), List.of("schedule", "pause"),
            List.of("schedule", "resume"), List.of("schedule", "rm"), List.of("help"), List.of());
    /** A trace line, an uncaught exception, or a Java exception class named by its package. */
    private static final Pattern JAVA_TRACE = Pattern.compile(
            "\tat |Exception in thread|\\bjava\\.[a-z]+\\.|\\b(?:[a-z]+\\.)+[A-Z]\\w*(?:Exception|Error)\\b"
                    + "|internal error:");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[A-Za-z][\\w-]*)");
    private static final long COMMAND_TIMEOUT_SECONDS = 60;
    private static final int DUMP_BATCH = 200;

    private static TestingServer server;
    /** The state after the last case when that case changed nothing (exit 2), else null. */
    private static Map<String, String> lastDump;
    private static CuratorFramework reader;
    private static Path dir;
    private static final List<String> TASK_IDS = new ArrayList<>();
    private static final Map<List<String>, List<String>> OPTIONS = new HashMap<>();
    private static final ExecutorService RUNNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ctl-property-runner");
        t.setDaemon(true);
        return t;
    });

    /** One ha-ctl invocation: its arguments and the variables added to the environment. */
    record Invocation(List<String> args, Map<String, String> env) {
    }

    record Outcome(int code, String out, String err) {
    }

    @BeforeAll
    static void cluster() throws Exception {
        server = ZkTestBase.newServer(0, null);
        dir = Files.createTempDirectory("ctl-props");
        Files.createDirectories(dir.resolve("a-dir"));
        Files.writeString(dir.resolve("batch.jsonl"), "{\"type\":\"echo\"}\nnot json\n", StandardCharsets.UTF_8);
        try (HaCluster setup = HaCluster.builder().connectString(server.getConnectString()).clusterName("test")
                .agentId("setup").sessionTimeout(ZkTestBase.SESSION).connectionTimeout(ZkTestBase.CONNECTION)
                .build().start()) {
            for (int i = 0; i < 3; i++) {
                TASK_IDS.add(setup.taskQueue().submit(TaskSpec.builder("echo").payload(("p" + i)
                        .getBytes(StandardCharsets.UTF_8)).build()));
            }
            setup.schedules().define("nightly", Trigger.cron("30 2 * * *", ZoneId.of("UTC")),
                    TaskSpec.builder("echo").build(), Schedules.Options.defaults().paused());
            setup.schedules().define("hourly", Trigger.cron("0 * * * *", ZoneId.of("UTC")),
                    TaskSpec.builder("echo").build());
            setup.limits().set(TypeLimit.of("echo").maxRunning(2).build());
        }
        reader = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
        reader.start();
        reader.blockUntilConnected();
        for (List<String> command : COMMANDS) {
            List<String> help = new ArrayList<>(command);
            help.add("--help");
            Outcome usage = run(new Invocation(help, Map.of()));
            TreeSet<String> options = new TreeSet<>();
            Matcher m = OPTION.matcher(usage.out());
            while (m.find()) {
                options.add(m.group(1));
            }
            options.removeAll(List.of("-v", "--verbose"));
            OPTIONS.put(command, new ArrayList<>(options));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        RUNNER.shutdownNow();
        reader.close();
        server.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void exitsZeroOneOrTwoWithoutTracesAndAUsageErrorChangesNothing() {
        RandomCases.check(100, CtlArgumentsPropertyTest::invocation, CtlArgumentsPropertyTest::runAndCheck);
    }

    private static void runAndCheck(Invocation call) throws Exception {
        Map<String, String> before = lastDump != null ? lastDump : dump();
        lastDump = null;
        Outcome o = run(call);
        assertThat(o.code()).as("exit code of %s%n%s", call, o.err()).isIn(0, 1, 2);
        assertThat(JAVA_TRACE.matcher(o.err()).find()).as("stderr of %s shows Java internals:%n%s", call, o.err())
                .isFalse();
        assertThat(JAVA_TRACE.matcher(o.out()).find()).as("stdout of %s shows Java internals:%n%s", call, o.out())
                .isFalse();
        if (o.code() == 2) {
            assertThat(o.err()).as("a usage error of %s says why", call).isNotBlank();
            Map<String, String> after = dump();
            assertThat(after).as("state after %s (exit 2)", call).isEqualTo(before);
            // Unchanged, so it is the next case's state before: one dump of some 2000 nodes per case, not two.
            lastDump = after;
        }
    }

    @Test
    void aFileOptionThatIsNoPathIsAUsageErrorWithoutJavaTypeNames() throws Exception {
        Outcome o = run(new Invocation(List.of("--auth-file", "bad\0path", "status"), Map.of()));
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("--auth-file").contains("'bad?path' is not a file path").doesNotContain("java.");
    }

    @Test
    void aFileVariableThatIsNoPathIsAUsageErrorNamingTheVariable() throws Exception {
        for (String variable : List.of("HA_ZK_AUTH_FILE", "HA_ZK_TLS_TRUSTSTORE")) {
            Outcome o = run(new Invocation(List.of("status"), Map.of(variable, "bad\0path", "HA_ZK_TLS_ENABLED",
                    "true")));
            assertThat(o.code()).as(variable).isEqualTo(2);
            assertThat(o.err()).as(variable).startsWith("ha-ctl: " + variable + ": 'bad?path' is not a file path");
        }
    }

    private static Outcome run(Invocation call) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(ClusterConnection.ENV_CONNECT, server.getConnectString(),
                ClusterConnection.ENV_CLUSTER, "test"));
        env.putAll(call.env());
        Future<Outcome> running = RUNNER.submit(() -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = CtlMain.execute(call.args().toArray(String[]::new), new PrintWriter(out),
                    new PrintWriter(err), new ByteArrayInputStream(new byte[0]), env);
            return new Outcome(code, out.toString(), err.toString());
        });
        try {
            return running.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            return fail("ha-ctl %s did not end within %s s", call, COMMAND_TIMEOUT_SECONDS);
        } catch (ExecutionException e) {
            return fail("ha-ctl %s threw %s", call, e.getCause());
        }
    }

    /**
     * Every znode under the cluster root: path and data, read level by level, each level in read-only multi
     * requests of {@value #DUMP_BATCH} nodes (one request per batch rather than two per node: the dump runs once a
     * case, and the cluster holds some 2000 nodes).
     */
    private static Map<String, String> dump() throws Exception {
        ZooKeeper zk = reader.getZookeeperClient().getZooKeeper();
        Map<String, String> nodes = new TreeMap<>();
        List<String> level = List.of("/ha/test");
        while (!level.isEmpty()) {
            List<String> next = new ArrayList<>();
            for (int from = 0; from < level.size(); from += DUMP_BATCH) {
                List<String> batch = level.subList(from, Math.min(level.size(), from + DUMP_BATCH));
                List<Op> reads = new ArrayList<>();
                for (String path : batch) {
                    reads.add(Op.getData(path));
                    reads.add(Op.getChildren(path));
                }
                List<OpResult> results = zk.multi(reads);
                for (int i = 0; i < batch.size(); i++) {
                    String path = batch.get(i);
                    // A node deleted between the listing and the read is an ErrorResult: not part of the dump.
                    if (results.get(2 * i) instanceof OpResult.GetDataResult data) {
                        nodes.put(path, data.getData() == null ? ""
                                : Base64.getEncoder().encodeToString(data.getData()));
                    }
                    if (results.get(2 * i + 1) instanceof OpResult.GetChildrenResult children) {
                        children.getChildren().forEach(c -> next.add(path + "/" + c));
                    }
                }
            }
            level = next;
        }
        return nodes;
    }

    private static Invocation invocation(Gen g) {
        List<String> args = new ArrayList<>(switch (g.weighted(3, 2, 1)) {
            case 0 -> List.<String>of();
            case 1 -> List.of("--json");
            default -> g.pick(List.of("--cluster", "nope"), List.of("--cluster", "a/b"), List.of("--cluster", ""),
                    List.of("--connect-timeout", "30"), List.of("--connect-timeout", "-1s"),
                    List.of("--connect-timeout", "2s"), List.of("--zk", "host:notaport"), List.of("--zk", ""),
                    List.of("--auth-file", "/nonexistent"), List.of("--auth-file", dir.resolve("a-dir").toString()),
                    List.of("--auth-file", "bad\0path"), List.of("--zk-tls"), List.of("--zk-truststore",
                            "/nonexistent"), List.of("-z"), List.of("--cluster"));
        });
        List<String> command = g.pick(COMMANDS);
        args.addAll(command);
        args.addAll(g.list(5, () -> token(g, command)));
        Map<String, String> env = g.weighted(4, 1) == 0 ? Map.of() : g.pick(Map.of("HA_ZK_AUTH", "no-colon"),
                Map.of("HA_ZK_AUTH", ":"), Map.of("HA_ZK_AUTH_FILE", "/nonexistent"),
                Map.of("HA_ZK_AUTH_FILE", "bad\0path"), Map.of("HA_ZK_AUTH", "a:b", "HA_ZK_AUTH_FILE", "/x"),
                Map.of("HA_ZK_TLS_ENABLED", "true"), Map.of("HA_ZK_TLS_TRUSTSTORE", "bad\0path", "HA_ZK_TLS_ENABLED",
                        "true"), Map.of("HA_ZK_CONNECT", "host:notaport"), Map.of("HA_CLUSTER_NAME", "a/b"));
        return new Invocation(args, env);
    }

    /** One of the command's own options, an id or name that exists or not, or a value of some bad kind. */
    private static String token(Gen g, List<String> command) {
        List<String> options = OPTIONS.getOrDefault(command, List.of());
        if (!options.isEmpty() && g.weighted(2, 3) == 0) {
            return g.pick(options);
        }
        return switch (g.weighted(1, 1, 1, 1)) {
            case 0 -> g.pick(TASK_IDS);
            case 1 -> g.pick("nightly", "hourly", "echo", "no-such-task", "1a2b-3c", "setup", "g-1");
            case 2 -> g.pick("-1", "0", "1", "999", "1000", "99999999999", "1s", "0s", "-1s", "5x", "1h30m", "",
                    " ", "--", "-", "=", "a=b", "K=V", "K=@/nonexistent", "K=file:nope", "{}", "[", "@nope",
                    "/nonexistent", dir.resolve("a-dir").toString(), dir.resolve("batch.jsonl").toString(),
                    "bad\0path", "\u00fcn\u00ef", "x".repeat(300), "%n%s", "\u001b[31m", "*/5 * * * *",
                    "61 * * * *", "echo:hi", "zone=eu", "Europe/Nowhere", "a/b", "..");
            default -> g.text(8);
        };
    }
}
