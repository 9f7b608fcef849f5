package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.agent.cli.CtlMain;
import io.ha.core.testing.ZkTestBase;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent with credentials refuses a cluster node a stranger created first, open to the world (exit 1, the
 * node, its ACL and the fix named), and starts once {@code ha-ctl secure} has put the tree under the credentials.
 */
@Timeout(90)
class AgentExposedRootTest extends ZkTestBase {
    private static final String AUTH = "ops:Zq7-s3cret-pw";

    @TempDir
    Path dir;

    @Test
    void refusesAWorldOpenClusterNodeAndStartsAfterHaCtlSecure() throws Exception {
        CuratorFramework attacker = closeLater(CuratorFrameworkFactory.newClient(server.getConnectString(),
                new RetryOneTime(100)));
        attacker.start();
        attacker.create().creatingParentsIfNeeded().forPath("/ha/test");
        Map<String, String> env = Map.of("HA_ZK_AUTH", AUTH, "HA_CLUSTER_NAME", "test");

        try (AgentProcess agent = AgentProcess.start(dir, env, "--zk", server.getConnectString(), "--id", "a")) {
            assertThat(agent.awaitExit(Duration.ofSeconds(30))).as("exit code; stderr: %s", agent.stderr())
                    .isEqualTo(1);
            assertThat(agent.stderr()).contains("cannot start").contains("node /ha:")
                    .contains("world:anyone=cdrwa").contains("ha-ctl secure").doesNotContain("Zq7-s3cret-pw");
        }
        assertThat(attacker.getChildren().forPath("/ha/test")).as("the refused agent wrote nothing").isEmpty();

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CtlMain.execute(new String[] {"--zk", server.getConnectString(), "secure"}, new PrintWriter(out),
                new PrintWriter(err), new ByteArrayInputStream(new byte[0]), env);
        assertThat(code).as("ha-ctl secure; stderr: %s", err).isZero();
        assertThat(out.toString()).contains("2 node(s) changed");

        try (AgentProcess agent = AgentProcess.start(dir, env, "--zk", server.getConnectString(), "--id", "a")) {
            agent.awaitReady(Duration.ofSeconds(40));
            assertThat(agent.ready().id()).isEqualTo("a");
            agent.terminate();
            assertThat(agent.awaitExit(Duration.ofSeconds(30))).isZero();
        }
    }
}
