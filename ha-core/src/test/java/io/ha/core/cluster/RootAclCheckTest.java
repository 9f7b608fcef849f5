package io.ha.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.ClusterRootExposedException;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.Test;

/**
 * With credentials, a member refuses to start when a stranger can change the path to its cluster (the root path's
 * nodes and the cluster node): an attacker who created {@code /ha/test} or {@code /ha} first must not end up hosting
 * the cluster. Such a start writes nothing.
 */
class RootAclCheckTest extends ZkTestBase {
    private static final String PASSWORD = "Zq7-s3cret-pw";
    private static final Credentials ALICE = new Credentials("alice", PASSWORD);

    /** A plain Curator client on the test server, with the given digest auth or none. */
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

    private HaCluster protectedMember() {
        return closeLater(builder("a").credentials(ALICE).build());
    }

    /** Every node below {@code /} with its ACL, to show that a refused start changed nothing. */
    private static List<String> tree(CuratorFramework client, String path) throws Exception {
        List<String> out = new ArrayList<>();
        out.add(path + " " + client.getACL().forPath(path));
        for (String child : client.getChildren().forPath(path).stream().sorted().toList()) {
            out.addAll(tree(client, (path.equals("/") ? "" : path) + "/" + child));
        }
        return out;
    }

    private static List<String> haTree(CuratorFramework client) throws Exception {
        return client.checkExists().forPath("/ha") == null ? List.of() : tree(client, "/ha");
    }

    @Test
    void worldWritableClusterNodeCreatedFirstMakesACredentialedStartFailAndChangesNothing() throws Exception {
        CuratorFramework attacker = rawClient(null);
        attacker.create().creatingParentsIfNeeded().forPath("/ha/test");
        List<String> before = haTree(attacker);

        assertThatThrownBy(protectedMember()::start)
                .isInstanceOf(ClusterRootExposedException.class)
                .hasMessageContaining("cluster 'test'")
                .hasMessageContaining("node /ha:")
                .hasMessageContaining("world:anyone=cdrwa")
                .hasMessageContaining("ha-ctl secure")
                .hasMessageNotContaining(PASSWORD);
        assertThat(haTree(attacker)).containsExactlyElementsOf(before);
    }

    @Test
    void worldWritableClusterNodeUnderASecuredRootIsRefusedByName() throws Exception {
        rawClient("alice:" + PASSWORD).create().withACL(ZooDefs.Ids.CREATOR_ALL_ACL).forPath("/ha");
        CuratorFramework attacker = rawClient(null);
        // The only way a stranger gets a node under a secured /ha: the owner made it so (or ran without credentials).
        rawClient("alice:" + PASSWORD).create().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath("/ha/test");
        attacker.create().forPath("/ha/test/agents");

        assertThatThrownBy(protectedMember()::start)
                .isInstanceOf(ClusterRootExposedException.class)
                .hasMessageContaining("node /ha/test:")
                .hasMessageContaining("world:anyone=cdrwa")
                .hasMessageContaining("ha-ctl secure");
        assertThat(attacker.getChildren().forPath("/ha/test")).containsExactly("agents");
    }

    @Test
    void worldWritableRootPathAloneIsRefusedAndNoClusterNodeIsCreated() throws Exception {
        CuratorFramework attacker = rawClient(null);
        attacker.create().forPath("/ha");

        assertThatThrownBy(protectedMember()::start)
                .isInstanceOf(ClusterRootExposedException.class)
                .hasMessageContaining("node /ha:")
                .hasMessageContaining("world:anyone=cdrwa");
        assertThat(attacker.getChildren().forPath("/ha")).isEmpty();
    }

    @Test
    void createOrDeleteForAnIpRangeIsRefusedToo() throws Exception {
        List<ACL> acl = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
        acl.add(new ACL(ZooDefs.Perms.CREATE | ZooDefs.Perms.DELETE | ZooDefs.Perms.READ,
                new org.apache.zookeeper.data.Id("ip", "127.0.0.1")));
        rawClient("alice:" + PASSWORD).create().withACL(acl).forPath("/ha");

        assertThatThrownBy(protectedMember()::start)
                .isInstanceOf(ClusterRootExposedException.class)
                .hasMessageContaining("node /ha:")
                .hasMessageContaining("ip:127.0.0.1=cdr--")
                .hasMessageContaining("digest:alice=cdrwa");
    }

    @Test
    void treeOfAnotherIdentityIsRefusedNamingTheNodeAndItsAcl() throws Exception {
        List<ACL> bobsAcl = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
        bobsAcl.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        CuratorFramework bob = rawClient("bob:bobs-pw");
        bob.create().withACL(bobsAcl).forPath("/ha");
        bob.create().withACL(ZooDefs.Ids.CREATOR_ALL_ACL).forPath("/ha/test");
        List<String> before = haTree(bob);

        assertThatThrownBy(protectedMember()::start)
                .isInstanceOf(ClusterRootExposedException.class)
                .hasMessageContaining("node /ha:")
                .hasMessageContaining("digest:bob=cdrwa")
                .hasMessageContaining("world:anyone=--r--")
                .hasMessageNotContaining("bobs-pw");
        assertThat(haTree(bob)).containsExactlyElementsOf(before);
    }

    @Test
    void clusterNodeWhoseAclTheseCredentialsCannotReadIsRefused() throws Exception {
        // The same user with another password is another identity: an impostor who guessed the user name.
        CuratorFramework impostor = rawClient("alice:guessed-pw");
        impostor.create().withACL(ZooDefs.Ids.CREATOR_ALL_ACL).forPath("/ha");

        assertThatThrownBy(protectedMember()::start)
                .isInstanceOf(ClusterRootExposedException.class)
                .hasMessageContaining("node /ha:")
                .hasMessageContaining("NoAuth")
                .hasMessageContaining("another identity")
                .hasMessageNotContaining("guessed-pw");
    }

    @Test
    void sameUserWithAnotherPasswordIsNamedAsSuch() throws Exception {
        List<ACL> acl = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
        acl.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        rawClient("alice:guessed-pw").create().withACL(acl).forPath("/ha");

        assertThatThrownBy(protectedMember()::start)
                .isInstanceOf(ClusterRootExposedException.class)
                .hasMessageContaining("digest:alice (another password)=cdrwa");
    }

    @Test
    void readForTheWorldIsAllowedAndACleanStartLaysOutCreatorOnlyNodes() throws Exception {
        List<ACL> acl = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
        acl.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        rawClient("alice:" + PASSWORD).create().withACL(acl).forPath("/ha");

        HaCluster a = protectedMember().start();
        assertThat(a.leaderElection().awaitLeadership(WAIT)).isTrue();
        List<ACL> clusterAcl = a.curator().getACL().forPath(a.clusterPath());
        assertThat(clusterAcl).hasSize(1);
        assertThat(clusterAcl.get(0).getId().getId()).isEqualTo(ALICE.digestId());
        // A second start on the laid-out tree passes the check as well.
        HaCluster b = closeLater(builder("b").credentials(ALICE).build()).start();
        assertThat(b.membership().awaitSize(2, WAIT)).isTrue();
    }

    @Test
    void withoutCredentialsNothingIsChecked() throws Exception {
        rawClient(null).create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath("/ha/test");
        HaCluster a = closeLater(builder("a").build()).start();
        assertThat(a.leaderElection().awaitLeadership(WAIT)).isTrue();
    }

    @Test
    void pathNodesAreEveryNodeBelowTheZooKeeperRoot() {
        assertThat(RootAclCheck.pathNodes("/ha/test")).containsExactly("/ha", "/ha/test");
        assertThat(RootAclCheck.pathNodes("/a/b/c")).containsExactly("/a", "/a/b", "/a/b/c");
    }
}
