package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** status, agents, leader, watch, and how connection and configuration problems are reported. */
class CtlClusterViewTest extends CtlTestBase {

    private String twoMembersAndLeader() throws Exception {
        HaCluster a = echoMember("agent-a");
        HaCluster b = member("agent-b");
        await().atMost(WAIT).until(() -> a.leaderElection().currentLeader().isPresent());
        await().atMost(WAIT).until(() -> a.membership().size() == 2 && a.membership().get("agent-a")
                .map(i -> i.accepting()).orElse(false));
        return a.leaderElection().currentLeader().orElseThrow();
    }

    @Test
    void statusShowsLeaderAgentsAndTaskCountsInBothForms() throws Exception {
        String leader = twoMembersAndLeader();
        HaCluster a = member("submitter", b -> b.role(io.ha.core.cluster.ClusterRole.OBSERVER));
        a.taskQueue().submit(TaskSpec.builder("nobody-runs-this").labels(java.util.Set.of("nowhere")).build());

        Result human = ctl("status").exits(0);
        assertThat(human.err()).isEmpty();
        assertThat(human.out())
                .contains("Cluster:  test (/ha/test) at " + server.getConnectString())
                .containsPattern("Leader: +" + leader + " \\(epoch \\d+\\)")
                .contains("Agents:   2 live, 1 accepting tasks")
                .containsPattern("(?m)^AGENT +ROLE +STATE +HOST")
                .containsPattern("(?m)^agent-a +(leader|member) +accepting ")
                .containsPattern("(?m)^agent-b +(leader|member) +idle ")
                .containsPattern("(?m)^PENDING +ASSIGNED +RUNNING +SUCCEEDED +FAILED +DEAD +CANCELLED$")
                .containsPattern("(?m)^1 +0 +0 +0 +0 +0 +0$");

        JsonNode json = ctl("status", "--json").exits(0).json();
        assertThat(json.get("cluster").asText()).isEqualTo("test");
        assertThat(json.get("path").asText()).isEqualTo("/ha/test");
        assertThat(json.get("leader").asText()).isEqualTo(leader);
        assertThat(json.get("epoch").asLong()).isPositive();
        assertThat(json.get("agentsLive").asInt()).isEqualTo(2);
        assertThat(json.get("agentsAccepting").asInt()).isEqualTo(1);
        assertThat(json.get("tasks").get("PENDING").asLong()).isEqualTo(1);
        assertThat(fieldNames(json.get("tasks")))
                .containsExactly("PENDING", "ASSIGNED", "RUNNING", "SUCCEEDED", "FAILED", "DEAD", "CANCELLED");
        assertThat(json.get("agents")).hasSize(2);
    }

    @Test
    void agentsListsEveryLiveAgentInBothForms() throws Exception {
        String leader = twoMembersAndLeader();

        Result human = ctl("agents").exits(0);
        assertThat(human.out().lines().toList()).hasSize(3);
        assertThat(human.out()).containsPattern("(?m)^AGENT +ROLE +STATE +HOST +PID +CAPACITY +TYPES +LABELS +VERSION"
                + " +UPTIME$").containsPattern("(?m)^" + leader + " +leader ").contains("echo");

        JsonNode json = ctl("--json", "agents").exits(0).json();
        assertThat(json).hasSize(2);
        JsonNode a = json.get(0);
        assertThat(fieldNames(a)).containsExactly("id", "leader", "host", "pid", "state", "accepting", "capacity",
                "types", "labels", "version", "http", "startedAt");
        assertThat(a.get("id").asText()).isEqualTo("agent-a");
        assertThat(a.get("state").asText()).isEqualTo("accepting");
        assertThat(a.get("types").get(0).asText()).isEqualTo("echo");
        assertThat(a.get("leader").asBoolean()).isEqualTo(leader.equals("agent-a"));
        assertThat(json.get(1).get("accepting").asBoolean()).isFalse();
        assertThat(a.get("startedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }

    @Test
    void leaderNamesTheLeaderOrExitsOneWithoutOne() throws Exception {
        String leader = twoMembersAndLeader();

        Result human = ctl("leader").exits(0);
        assertThat(human.out()).startsWith("Leader:  " + leader + "\nEpoch:   ").contains("Host:    ");

        JsonNode json = ctl("leader", "--json").exits(0).json();
        assertThat(json.get("leader").asText()).isEqualTo(leader);
        assertThat(json.get("epoch").asLong()).isPositive();
        assertThat(json.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void leaderExitsOneWhenNoneIsElected() throws Exception {
        member("observer", b -> b.role(io.ha.core.cluster.ClusterRole.OBSERVER));

        Result none = ctl("leader").exits(1);
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).isEqualTo("ha-ctl: no leader is elected in cluster 'test' at "
                + server.getConnectString() + " (0 agent(s) alive; last epoch 0)\n");
        assertThat(ctl("leader", "--json").exits(1).json().get("leader").isNull()).isTrue();
    }

    @Test
    void watchOncePrintsOneFrameWithoutControlCodes() throws Exception {
        String leader = twoMembersAndLeader();

        Result human = ctl("watch", "--once").exits(0);
        assertThat(human.out()).doesNotContain("\033")
                .startsWith("Every 1s: ha-ctl watch")
                .contains("Leader:   " + leader)
                .containsPattern("(?m)^AGENT +ROLE +STATE +HOST +BUSY +CAPACITY +TYPES +UPTIME$")
                .containsPattern("(?m)^PENDING +ASSIGNED");

        Result json = ctl("watch", "--once", "--json").exits(0);
        assertThat(json.out().lines().toList()).hasSize(1);
        JsonNode frame = json.json();
        assertThat(fieldNames(frame)).containsExactly("time", "status", "running");
        assertThat(frame.get("status").get("leader").asText()).isEqualTo(leader);
    }

    @Test
    void watchRedrawsInPlaceWithAnsiControlCodes() throws Exception {
        twoMembersAndLeader();
        // Without --once, watch runs until interrupted: run it on a thread and stop it after two frames.
        java.io.StringWriter out = new java.io.StringWriter();
        Thread t = new Thread(() -> CtlMain.execute(new String[] {"watch", "--interval", "200ms"},
                new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()),
                java.io.InputStream.nullInputStream(), env()));
        t.start();
        await().atMost(WAIT).until(() -> out.toString().split("\033\\[H", -1).length >= 3);
        t.interrupt();
        t.join(WAIT.toMillis());
        assertThat(out.toString()).startsWith("\033[H\033[2J").contains("\033[K\n").contains("(Ctrl-C quits)");
    }

    @Test
    void unreachableZooKeeperExitsOneNamingTheConnectStringWithinTheTimeout() {
        String dead = "127.0.0.1:" + InstanceSpec.getRandomPort();
        long start = System.nanoTime();
        Result r = ctl("--zk", dead, "--connect-timeout", "1s", "status").exits(1);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.err()).startsWith("ha-ctl: cannot connect to ZooKeeper at " + dead + " within 1s")
                .doesNotContain("Exception").hasLineCount(1);
        assertThat(r.out()).isEmpty();
        assertThat(took).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void missingOrInvalidSettingsAreUsageErrors() {
        env.put(ClusterConnection.ENV_CONNECT, "");
        Result noZk = ctl("status").exits(2);
        assertThat(noZk.err()).isEqualTo("ha-ctl: no ZooKeeper connect string: give --zk HOST:PORT[,HOST:PORT...] "
                + "or set HA_ZK_CONNECT\n");

        assertThat(ctl("--zk", "host:notaport", "status").exits(2).err())
                .contains("port 'notaport' of 'host:notaport' is not a number");
        assertThat(ctl("--zk", server.getConnectString(), "--connect-timeout", "30", "status").exits(2).err())
                .contains("invalid duration '30'").contains("Run 'ha-ctl --help' for usage.");
        assertThat(ctl("--zk", server.getConnectString(), "--cluster", "a/b", "status").exits(2).err())
                .contains("cluster name 'a/b' must not contain '/'");
        assertThat(ctl("statuz").exits(2).err()).contains("Unmatched argument at index 0: 'statuz'");
        assertThat(ctl().exits(2).err()).contains("Usage: ha-ctl");
    }

    @Test
    void unknownClusterExitsOneNamingTheKnownClusters() throws Exception {
        member("agent-a");
        Result r = ctl("--cluster", "tset", "status").exits(1);
        assertThat(r.err()).isEqualTo("ha-ctl: no cluster 'tset' at ZooKeeper " + server.getConnectString()
                + " (/ha/tset does not exist; clusters there: test)\n");
        // Asking must not create it.
        assertThat(ctl("--cluster", "tset", "agents").exits(1).err()).contains("clusters there: test)");
    }

    @Test
    void credentialsComeFromTheEnvironmentOrAFileAndAreNeverPrinted(@TempDir Path dir) throws Exception {
        String secret = "s3cr3t-pw";
        member("agent-a", b -> b.credentials(Credentials.parse("ops:" + secret)));

        Result denied = ctl("status").exits(1);
        assertThat(denied.err()).contains("NoAuth").hasLineCount(1);

        env.put(ClusterConnection.ENV_AUTH, "ops:" + secret);
        Result viaEnv = ctl("agents").exits(0);
        assertThat(viaEnv.out()).contains("agent-a");
        env.put(ClusterConnection.ENV_AUTH, "ops:wrong");
        assertThat(ctl("agents").exits(1).err()).contains("NoAuth").doesNotContain("wrong");
        env.put(ClusterConnection.ENV_AUTH, "no-colon-" + secret);
        Result malformed = ctl("agents").exits(2);
        assertThat(malformed.err()).isEqualTo("ha-ctl: HA_ZK_AUTH: credentials must have the form user:password\n");
        env.remove(ClusterConnection.ENV_AUTH);

        Path file = dir.resolve("zk.auth");
        Files.writeString(file, "ops:" + secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Result viaFile = ctl("--auth-file", file.toString(), "status", "--json").exits(0);
        assertThat(viaFile.json().get("agentsLive").asInt()).isEqualTo(1);
        assertThat(viaFile.err()).isEmpty();

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Result exposed = ctl("--auth-file", file.toString(), "agents").exits(2);
        assertThat(exposed.err()).contains("--auth-file: credentials file " + file)
                .contains("is readable by group or others (mode 0644, rw-r--r--); chmod 600 it");
        assertThat(exposed.out()).isEmpty();
        assertThat(ctl("--auth-file", dir.resolve("missing").toString(), "agents").exits(2).err())
                .contains("cannot read credentials file").contains("NoSuchFileException");

        for (Result r : List.of(denied, viaEnv, malformed, viaFile, exposed)) {
            assertThat(r.out() + r.err()).doesNotContain(secret);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
