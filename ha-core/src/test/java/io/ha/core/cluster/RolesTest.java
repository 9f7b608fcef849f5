package io.ha.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.DuplicateAgentException;
import io.ha.core.HaException;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import io.ha.core.membership.AgentInfo;
import io.ha.core.schedule.Trigger;
import io.ha.core.session.EventKind;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.task.TypeLimit;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;

/**
 * Separate identities for agents, submitters and readers (issue 15): each may do what its role allows and no more,
 * on a real server, and an agent id registered by an identity it is not bound to gets no task.
 */
class RolesTest extends ZkTestBase {
    private static final Credentials AGENT = new Credentials("agent", "ag-Zq7-secret");
    private static final Credentials AGENT2 = new Credentials("agent2", "ag2-Zq7-secret");
    private static final Credentials SUBMITTER = new Credentials("ci", "ci-Zq7-secret");
    private static final Credentials READER = new Credentials("grafana", "gr-Zq7-secret");
    private static final Credentials STRANGER = new Credentials("mallory", "ml-Zq7-secret");
    private static final Roles ROLES = new Roles(Set.of(AGENT.digestId(), AGENT2.digestId()),
            Set.of(SUBMITTER.digestId()), Set.of(READER.digestId()));

    private HaCluster agent(String id, Credentials credentials) throws Exception {
        return member(id, b -> b.credentials(credentials).roles(ROLES));
    }

    private HaCluster client(String id, Credentials credentials) throws Exception {
        return member(id, b -> b.credentials(credentials).roles(ROLES).role(ClusterRole.OBSERVER));
    }

    private CuratorFramework raw(Credentials credentials) throws Exception {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString()).retryPolicy(new RetryOneTime(100));
        if (credentials != null) {
            b.authorization("digest", (credentials.user() + ":" + credentials.password())
                    .getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework client = closeLater(b.build());
        client.start();
        assertThat(client.blockUntilConnected((int) WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        return client;
    }

    @Test
    void aSubmitterSubmitsCancelsAndSchedulesAndTheAgentsRunItsTasks() throws Exception {
        HaCluster agent = agent("a", AGENT);
        agent.worker().register("echo", ctx -> ctx.payload(), 2);
        HaCluster ci = client("ci", SUBMITTER);

        String id = ci.taskQueue().submit(TaskSpec.builder("echo").payload("hi".getBytes(StandardCharsets.UTF_8))
                .idempotencyKey("k-1").build());
        TaskRecord done = ci.taskQueue().await(id, WAIT);
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(done.result(), StandardCharsets.UTF_8)).isEqualTo("hi");

        String queued = ci.taskQueue().submit(TaskSpec.builder("echo").delay(Duration.ofHours(1)).build());
        assertThat(ci.taskQueue().cancel(queued)).isTrue();
        assertThat(ci.taskQueue().get(queued).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);

        ci.schedules().define("nightly", Trigger.every(Duration.ofHours(1)), TaskSpec.builder("echo").build());
        ci.schedules().pause("nightly");
        assertThat(ci.schedules().remove("nightly")).isTrue();
        ci.limits().set(TypeLimit.of("echo").maxRunning(1).build());
        assertThat(agent.limits().get("echo")).isPresent();
        ci.agentControl().request("a", "drain");
    }

    @Test
    void aSubmitterCannotRegisterLeadOrForgeTheEpoch() throws Exception {
        HaCluster agent = agent("a", AGENT);
        ZPaths paths = paths(agent);
        assertThatThrownBy(() -> agent("fake", SUBMITTER)).isInstanceOf(HaException.class)
                .hasMessageContaining("user 'ci' has the submitter role")
                .hasMessageContaining("only an agent identity may join as an agent");
        CuratorFramework ci = raw(SUBMITTER);
        byte[] info = Json.write(new AgentInfo("fake", "h", 1, 1, 1000, Set.of(), "x", null, true, Set.of("echo")));
        assertThatThrownBy(() -> ci.create().withMode(CreateMode.EPHEMERAL).forPath(paths.agent("fake"), info))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> ci.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath(paths.leader() + "/latch-")).isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> ci.setData().forPath(paths.epoch(), "99".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> ci.setData().forPath(paths.roles(), "agent ci:x".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeeperException.NoAuthException.class);
    }

    @Test
    void aReaderReadsEverythingAndChangesNothing() throws Exception {
        HaCluster agent = agent("a", AGENT);
        String id = agent.taskQueue().submit(TaskSpec.builder("later").build());
        HaCluster reader = client("dash", READER);
        assertThat(reader.taskQueue().get(id)).isPresent();
        assertThat(reader.membership().list()).extracting(AgentInfo::id).containsExactly("a");
        assertThatThrownBy(() -> reader.taskQueue().submit(TaskSpec.builder("later").build()))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> reader.taskQueue().cancel(id))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> reader.agentControl().request("a", "drain"))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThat(agent.taskQueue().get(id).orElseThrow().state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void aStrangerSeesNothingAndAClientWithoutTheRolesIsRefused() throws Exception {
        HaCluster agent = agent("a", AGENT);
        CuratorFramework mallory = raw(STRANGER);
        assertThatThrownBy(() -> mallory.getData().forPath(paths(agent).roles()))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> mallory.getChildren().forPath(paths(agent).agents()))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> member("ci", b -> b.credentials(SUBMITTER).role(ClusterRole.OBSERVER)))
                .isInstanceOf(HaException.class).hasMessageContaining("has roles")
                .hasMessageContaining("zk.roles.file");
        Roles other = new Roles(Set.of(AGENT.digestId()), Set.of(SUBMITTER.digestId()), Set.of());
        assertThatThrownBy(() -> member("b", b -> b.credentials(AGENT).roles(other)))
                .isInstanceOf(HaException.class).hasMessageContaining("differ")
                .hasMessageContaining("agent only in the cluster: [agent2]")
                .hasMessageContaining("reader only in the cluster: [grafana]")
                .hasMessageNotContaining(AGENT.password()).hasMessageNotContaining(READER.digestId());
        assertThatThrownBy(() -> member("m", b -> b.credentials(STRANGER).roles(ROLES)))
                .isInstanceOf(HaException.class).hasMessageContaining("user 'mallory' are not listed");
    }

    @Test
    void everyNodeGrantsByRole() throws Exception {
        HaCluster agent = agent("a", AGENT);
        HaCluster ci = client("ci", SUBMITTER);
        String id = ci.taskQueue().submit(TaskSpec.builder("later").build());
        CuratorFramework zk = raw(AGENT);
        ZPaths paths = paths(agent);
        List<ACL> record = zk.getACL().forPath(paths.task(id));
        assertThat(record).containsExactlyInAnyOrder(
                new ACL(ZooDefs.Perms.ALL, new Id("digest", AGENT.digestId())),
                new ACL(ZooDefs.Perms.ALL, new Id("digest", AGENT2.digestId())),
                new ACL(ZooDefs.Perms.ALL & ~ZooDefs.Perms.ADMIN, new Id("digest", SUBMITTER.digestId())),
                new ACL(ZooDefs.Perms.READ, new Id("digest", READER.digestId())));
        assertThat(zk.getACL().forPath(paths.agent("a")))
                .contains(new ACL(ZooDefs.Perms.READ, new Id("digest", SUBMITTER.digestId())))
                .noneMatch(a -> a.getId().getScheme().equals("world"));
        assertThat(zk.getACL().forPath(paths.binding("a"))).containsExactlyInAnyOrder(
                new ACL(ZooDefs.Perms.ALL, new Id("digest", AGENT.digestId())),
                new ACL(ZooDefs.Perms.READ, new Id("digest", AGENT2.digestId())),
                new ACL(ZooDefs.Perms.READ, new Id("digest", SUBMITTER.digestId())),
                new ACL(ZooDefs.Perms.READ, new Id("digest", READER.digestId())));
        assertThat(zk.getACL().forPath(paths.clusterRoot()))
                .contains(new ACL(ZooDefs.Perms.READ, new Id("digest", SUBMITTER.digestId())))
                .doesNotContain(new ACL(ZooDefs.Perms.ALL, new Id("digest", SUBMITTER.digestId())));
    }

    @Test
    void anAgentIdBoundToAnotherIdentityCannotBeRegisteredNorGetTasks() throws Exception {
        HaCluster a = agent("a", AGENT);
        a.close();
        // The id 'a' stays bound to AGENT. Another agent identity is refused it...
        assertThatThrownBy(() -> agent("a", AGENT2)).isInstanceOf(DuplicateAgentException.class)
                .hasMessageContaining("agent id 'a' is bound to another ZooKeeper identity");
        // ...and registering it by hand, past the registry, does not make it a member.
        HaCluster b = agent("b", AGENT2);
        b.worker().register("echo", ctx -> ctx.payload(), 1);
        CuratorFramework rogue = raw(AGENT2);
        ZPaths paths = paths(b);
        rogue.create().withMode(CreateMode.EPHEMERAL).forPath(paths.agent("a"), Json.write(new AgentInfo("a", "h", 1,
                1, 1000, Set.of(), "x", null, true, Set.of("echo"))));
        // A task the leader could have placed on the rogue registration (1000 free slots) goes to 'b'.
        HaCluster ci = client("ci", SUBMITTER);
        List<String> ids = ci.taskQueue().submitAll(List.of(TaskSpec.builder("echo").build(),
                TaskSpec.builder("echo").build(), TaskSpec.builder("echo").build()));
        for (String id : ids) {
            TaskRecord done = ci.taskQueue().await(id, WAIT);
            assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(done.agent()).isEqualTo("b");
        }
        assertThat(b.membership().isAlive("a")).isFalse();
        assertThat(rogue.checkExists().forPath(paths.assignedDir("a")) == null
                || rogue.getChildren().forPath(paths.assignedDir("a")).isEmpty()).isTrue();
    }

    @Test
    void theBindingFollowsTheAgentThroughASessionExpiry() throws Exception {
        HaCluster a = agent("a", AGENT);
        a.worker().register("echo", ctx -> ctx.payload(), 1);
        HaCluster observer = client("watch", READER);
        await().atMost(WAIT).until(() -> observer.membership().isAlive("a"));
        expireSessionOnServer(a);
        // The registry makes both nodes again in the new session, and the member is counted again.
        await().atMost(WAIT).until(() -> {
            CuratorFramework zk = a.curator();
            long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
            var reg = zk.checkExists().forPath(paths(a).agent("a"));
            var bound = zk.checkExists().forPath(paths(a).bindingSession("a"));
            return reg != null && bound != null && reg.getEphemeralOwner() == session
                    && bound.getEphemeralOwner() == session;
        });
        await().atMost(WAIT).until(() -> observer.membership().isAlive("a"));
        HaCluster ci = client("ci", SUBMITTER);
        TaskRecord done = ci.taskQueue().await(ci.taskQueue().submit(TaskSpec.builder("echo").build()), WAIT);
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.agent()).isEqualTo("a");

        // A session that ends takes registration and binding: that reads as a leave, not as a replacement.
        expireSessionOnServer(a);
        a.close();
        await().atMost(WAIT).until(() -> !observer.membership().isAlive("a"));
        assertThat(observer.timeline().ofKind(EventKind.LEFT)).isNotEmpty()
                .noneMatch(e -> e.detail().contains("replaced"));
    }

    @Test
    void aDeclaredCapacityIsCountedAtMostTheCap() throws Exception {
        HaCluster a = member("a", b -> b.credentials(AGENT).roles(ROLES).maxAgentCapacity(4).capacity(2));
        CuratorFramework zk = raw(AGENT);
        ZPaths paths = paths(a);
        await().atMost(WAIT).until(() -> a.membership().get("a").isPresent());
        zk.setData().forPath(paths.agent("a"), Json.write(a.membership().get("a").orElseThrow().withCapacity(5000)));
        await().atMost(WAIT).until(() -> zk.getData().forPath(paths.agent("a")).length > 0
                && Json.read("x", zk.getData().forPath(paths.agent("a")), AgentInfo.class).capacity() == 5000);
        await().atMost(WAIT).until(() -> a.membership().get("a").orElseThrow().capacity() == 4);
        assertThatThrownBy(() -> HaCluster.builder().maxAgentCapacity(0))
                .hasMessageContaining("max agent capacity must be in 1-1000000, got 0");
        assertThatThrownBy(() -> HaCluster.builder().capacity(10).maxAgentCapacity(4).config())
                .hasMessageContaining("capacity 10 exceeds the max agent capacity 4");
    }
}
