package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.core.ClusterRootExposedException;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.Test;

/**
 * {@code ha-ctl secure} on a cluster first run without credentials, while its agent still runs without them: the
 * tree ends up creator-only for the credentials, so a credentialed agent may start on it and a client without them
 * is locked out.
 */
class CtlSecureTest extends CtlTestBase {
    private static final String AUTH = "ops:Zq7-s3cret-pw";

    private CuratorFramework rawClient(String digestAuth) throws InterruptedException {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100));
        if (digestAuth != null) {
            b.authorization("digest", digestAuth.getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework client = closeLater(b.build());
        client.start();
        assertThat(client.blockUntilConnected((int) WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        return client;
    }

    private static List<String> subtree(CuratorFramework client, String path) throws Exception {
        List<String> out = new ArrayList<>(List.of(path));
        for (String child : client.getChildren().forPath(path)) {
            out.addAll(subtree(client, ZKPaths.makePath(path, child)));
        }
        return out;
    }

    @Test
    void securesATreeRunWithoutCredentialsSoACredentialedStartWorksAndStrangersGetNoAuth() throws Exception {
        HaCluster open = echoMember("open-agent");
        assertThat(open.leaderElection().awaitLeadership(WAIT)).isTrue();
        assertThatThrownBy(() -> member("early", b -> b.credentials(Credentials.parse(AUTH))))
                .as("before secure, a credentialed start refuses the world-open tree")
                .isInstanceOf(ClusterRootExposedException.class).hasMessageContaining("ha-ctl secure");

        env.put(ClusterConnection.ENV_AUTH, AUTH);
        Result first = ctl("secure").exits(0);
        assertThat(first.out()).contains("Secured cluster 'test' at /ha/test for user 'ops'")
                .contains("node(s) changed to creator-only").contains("Restart agents")
                .doesNotContain("Zq7-s3cret-pw");
        assertThat(first.err()).isEmpty();

        CuratorFramework owner = rawClient(AUTH);
        List<String> nodes = new ArrayList<>(List.of("/ha"));
        nodes.addAll(subtree(owner, "/ha/test"));
        assertThat(nodes.size()).as("the task layout's bucket nodes are in the tree").isGreaterThan(100);
        List<String> notCreatorOnly = new ArrayList<>();
        for (String node : nodes) {
            List<ACL> acl = owner.getACL().forPath(node);
            if (!(acl.size() == 1 && acl.get(0).getId().getScheme().equals("digest")
                    && acl.get(0).getId().getId().startsWith("ops:") && acl.get(0).getPerms() == ZooDefs.Perms.ALL)) {
                notCreatorOnly.add(node + " " + acl);
            }
        }
        assertThat(notCreatorOnly).as("nodes not creator-only of %s", nodes.size()).isEmpty();

        CuratorFramework stranger = rawClient(null);
        for (String node : List.of("/ha", "/ha/test", "/ha/test/agents", "/ha/test/epoch")) {
            assertThatThrownBy(() -> stranger.getData().forPath(node)).as("getData %s", node)
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.create().forPath(node + "/intruder")).as("create under %s", node)
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }

        HaCluster secured = member("secured", b -> b.credentials(Credentials.parse(AUTH)));
        await().atMost(WAIT).until(() -> secured.membership().isAlive("secured"));
        secured.exclusiveWork().runExclusively("after-secure", WAIT, token -> token.value());

        JsonNode second = ctl("secure", "--json").exits(0).json();
        assertThat(second.get("changed").asInt()).isZero();
        assertThat(second.get("unchanged").asInt()).isGreaterThanOrEqualTo(nodes.size() - 1);
        assertThat(second.get("cluster").asText()).isEqualTo("test");
        assertThat(second.get("user").asText()).isEqualTo("ops");
    }

    @Test
    void refusesWithoutCredentials() throws Exception {
        member("open-agent");
        Result r = ctl("secure").exits(2);
        assertThat(r.err()).contains("secure needs the cluster's credentials").contains("HA_ZK_AUTH");
        assertThat(rawClient(null).getData().forPath("/ha/test")).isNotNull();
    }

    @Test
    void namesANodeOfAnotherIdentityItCannotChange() throws Exception {
        member("open-agent");
        rawClient("bob:bobs-pw").create().withACL(ZooDefs.Ids.CREATOR_ALL_ACL).forPath("/ha/test/bobs");
        env.put(ClusterConnection.ENV_AUTH, AUTH);
        Result r = ctl("secure").exits(1);
        assertThat(r.err()).contains("cannot secure /ha/test/bobs").contains("another identity")
                .contains("NoAuth").doesNotContain("bobs-pw").doesNotContain("Zq7-s3cret-pw");
    }

    @Test
    void unknownClusterExitsOne() {
        env.put(ClusterConnection.ENV_AUTH, AUTH);
        env.put(ClusterConnection.ENV_CLUSTER, "nothing-here");
        assertThat(ctl("secure").exits(1).err()).contains("no cluster 'nothing-here'").contains("nothing to secure");
    }
}
