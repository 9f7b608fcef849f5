package io.ha.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.ha.core.HaException;
import io.ha.core.ZooKeeperUnavailableException;
import io.ha.core.lock.FencingToken;
import io.ha.core.membership.AgentInfo;
import io.ha.core.session.ClusterEvent;
import io.ha.core.session.EventKind;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * With credentials, every node of the cluster is creator-only (DESIGN.md section 6): a client without them, or with
 * a wrong password, can neither read nor change anything, and the password shows up nowhere.
 */
class AclTest extends ZkTestBase {
    private static final String PASSWORD = "Zq7-s3cret-pw";
    private static final Credentials ALICE = new Credentials("alice", PASSWORD);
    private static final String WRONG_PASSWORD = "Wr0ng-guess-pw";

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "acl-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private HaCluster protectedMember(String id) throws Exception {
        return member(id, b -> b.credentials(ALICE));
    }

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

    /**
     * Every path of the subtree at {@code root}, parents before children. The task layout alone is some two
     * thousand bucket nodes, so each level is read with pipelined asynchronous calls rather than one round trip per
     * node.
     */
    private static List<String> subtree(ZooKeeper zk, String root) throws InterruptedException {
        List<String> out = new ArrayList<>();
        List<String> level = List.of(root);
        while (!level.isEmpty()) {
            out.addAll(level);
            Map<String, List<String>> children = new ConcurrentHashMap<>();
            Map<String, Code> codes = pipelined(level, (path, done) -> zk.getChildren(path, false,
                    (rc, p, ctx, names) -> {
                        if (rc == Code.OK.intValue()) {
                            children.put(p, names);
                        }
                        done.accept(rc);
                    }, null));
            assertThat(codes).as("getChildren while walking %s", root).allSatisfy((path, code) ->
                    assertThat(code).isIn(Code.OK, Code.NONODE));
            List<String> next = new ArrayList<>();
            for (String parent : level) {
                children.getOrDefault(parent, List.of()).stream().sorted()
                        .forEach(child -> next.add(ZKPaths.makePath(parent, child)));
            }
            level = next;
        }
        return out;
    }

    /** Issues one asynchronous call per path (all in flight at once) and returns each path's result code. */
    private static Map<String, Code> pipelined(List<String> paths, BiConsumer<String, IntConsumer> call)
            throws InterruptedException {
        Map<String, Code> codes = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(paths.size());
        for (String path : paths) {
            call.accept(path, rc -> {
                codes.put(path, Code.get(rc));
                done.countDown();
            });
        }
        assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("answers to %s calls", paths.size())
                .isTrue();
        return codes;
    }

    /** {@code /ha} itself and everything under {@code /ha/test}. */
    private static List<String> clusterNodes(HaCluster authorized) throws Exception {
        List<String> out = new ArrayList<>();
        out.add(ZKPaths.getPathAndNode(paths(authorized).clusterRoot()).getPath());
        out.addAll(subtree(authorized.curator().getZookeeperClient().getZooKeeper(),
                paths(authorized).clusterRoot()));
        return out;
    }

    private static void assertLockedOut(CuratorFramework intruder, List<String> paths) throws Exception {
        ZooKeeper zk = intruder.getZookeeperClient().getZooKeeper();
        byte[] junk = "intruder".getBytes(StandardCharsets.UTF_8);
        Map<String, Map<String, Code>> byOperation = new LinkedHashMap<>();
        byOperation.put("getData", pipelined(paths, (path, done) -> zk.getData(path, false,
                (rc, p, ctx, data, stat) -> done.accept(rc), null)));
        byOperation.put("setData", pipelined(paths, (path, done) -> zk.setData(path, junk, -1,
                (rc, p, ctx, stat) -> done.accept(rc), null)));
        byOperation.put("getChildren", pipelined(paths, (path, done) -> zk.getChildren(path, false,
                (rc, p, ctx, children) -> done.accept(rc), null)));
        byOperation.put("create child", pipelined(paths, (path, done) -> zk.create(ZKPaths.makePath(path,
                "intruder"), junk, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                (rc, p, ctx, name) -> done.accept(rc), null)));
        byOperation.put("delete", pipelined(paths, (path, done) -> zk.delete(path, -1,
                (rc, p, ctx) -> done.accept(rc), null)));
        List<String> allowed = new ArrayList<>();
        byOperation.forEach((operation, codes) -> codes.forEach((path, code) -> {
            // ZooKeeper checks DELETE on the parent, and "/" is open to all: /ha is protected from deletion only
            // by having children nobody else may delete.
            Code expected = operation.equals("delete") && ZKPaths.getPathAndNode(path).getPath().equals("/")
                    ? Code.NOTEMPTY : Code.NOAUTH;
            if (code != expected) {
                allowed.add(operation + " " + path + " -> " + code);
            }
        }));
        assertThat(allowed).as("operations not refused with NoAuth").isEmpty();
        // The same through Curator's synchronous API, for one node of each kind, as a user would call it.
        for (String path : List.of(paths.get(1), paths.get(paths.size() - 1))) {
            assertThatThrownBy(() -> intruder.getData().forPath(path)).as("getData %s", path)
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> intruder.setData().forPath(path, junk)).as("setData %s", path)
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> intruder.getChildren().forPath(path)).as("getChildren %s", path)
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> intruder.create().forPath(ZKPaths.makePath(path, "intruder"), junk))
                    .as("create child of %s", path).isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> intruder.delete().forPath(path)).as("delete %s", path)
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
    }

    /** Holds {@code lock} on another thread until {@code release} opens; returns once it is held. */
    private Future<Long> holdLock(HaCluster member, String lock, CountDownLatch release) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        Future<Long> done = threads.submit(() -> member.exclusiveWork().runExclusively(lock, WAIT, token -> {
            holding.countDown();
            release.await();
            return token.value();
        }));
        await().atMost(WAIT).until(() -> holding.getCount() == 0 || done.isDone());
        assertThat(done.isDone()).as("lock holder ended early").isFalse();
        return done;
    }

    @Test
    void everyNodeOfAProtectedClusterRefusesClientsWithoutTheCredentials() throws Exception {
        HaCluster a = protectedMember("a");
        assertThat(a.leaderElection().awaitLeadership(WAIT)).isTrue();
        CountDownLatch release = new CountDownLatch(1);
        Future<Long> held = holdLock(a, "acl-lock", release);

        List<String> nodes = clusterNodes(a);
        assertThat(nodes).contains("/ha", paths(a).clusterRoot(), paths(a).agents(), paths(a).agent("a"),
                paths(a).leader(), paths(a).epoch(), paths(a).locks(), paths(a).lock("acl-lock"));
        assertThat(nodes).as("leader latch nodes").anyMatch(n -> n.startsWith(paths(a).leader() + "/"));
        assertThat(nodes).as("lock nodes").anyMatch(n -> n.startsWith(paths(a).lock("acl-lock") + "/"));
        ZooKeeper authorized = a.curator().getZookeeperClient().getZooKeeper();
        Map<String, List<ACL>> acls = new ConcurrentHashMap<>();
        Map<String, Code> aclCodes = pipelined(nodes, (path, done) -> authorized.getACL(path, new Stat(),
                (rc, p, ctx, acl, stat) -> {
                    if (acl != null) {
                        acls.put(p, acl);
                    }
                    done.accept(rc);
                }, null));
        assertThat(aclCodes).allSatisfy((node, code) -> assertThat(code).as("getACL %s", node).isEqualTo(Code.OK));
        List<String> notCreatorOnly = nodes.stream().filter(node -> !(acls.get(node).size() == 1
                && acls.get(node).get(0).getId().getScheme().equals("digest")
                && acls.get(node).get(0).getId().getId().startsWith("alice:")
                && acls.get(node).get(0).getPerms() == ZooDefs.Perms.ALL))
                .map(node -> node + " " + acls.get(node)).toList();
        assertThat(notCreatorOnly).as("nodes that are not creator-only (%s nodes checked)", nodes.size()).isEmpty();
        byte[] epochBefore = a.curator().getData().forPath(paths(a).epoch());

        assertLockedOut(rawClient(null), nodes);
        assertLockedOut(rawClient("alice:" + WRONG_PASSWORD), nodes);

        // Nothing was changed by the attempts.
        assertThat(clusterNodes(a)).containsExactlyElementsOf(nodes);
        assertThat(a.curator().getData().forPath(paths(a).epoch())).isEqualTo(epochBefore);

        // A second member with the same credentials works normally.
        HaCluster b = protectedMember("b");
        assertThat(a.membership().awaitSize(2, WAIT)).isTrue();
        assertThat(b.membership().awaitSize(2, WAIT)).isTrue();
        assertThat(b.membership().list()).extracting(AgentInfo::id).containsExactly("a", "b");
        assertThat(b.leaderElection().currentLeader()).hasValue("a");
        release.countDown();
        long aToken = held.get(30, TimeUnit.SECONDS);
        assertThat(b.exclusiveWork().runExclusively("acl-lock", WAIT, FencingToken::value)).isGreaterThan(aToken);
        // And a client with the right credentials reads what the members wrote.
        assertThat(rawClient("alice:" + PASSWORD).getData().forPath(paths(a).epoch())).isEqualTo(epochBefore);
    }

    @Test
    void memberWithoutOrWithWrongCredentialsCannotJoinAProtectedClusterAndLeavesNothingBehind() throws Exception {
        HaCluster a = protectedMember("a");
        assertThat(a.leaderElection().awaitLeadership(WAIT)).isTrue();
        List<String> before = clusterNodes(a);

        HaCluster anonymous = closeLater(builder("anonymous").build());
        assertThatThrownBy(anonymous::start)
                .isInstanceOf(HaException.class)
                .isNotInstanceOf(ZooKeeperUnavailableException.class)
                .hasMessageContaining("protected")
                .hasMessageContaining("NoAuth")
                .hasMessageContaining("'test'");
        HaCluster impostor = closeLater(builder("impostor")
                .credentials(new Credentials("alice", WRONG_PASSWORD)).build());
        assertThatThrownBy(impostor::start)
                .isInstanceOf(HaException.class)
                .hasMessageContaining("protected")
                .hasMessageContaining("NoAuth")
                .hasMessageNotContaining(WRONG_PASSWORD);
        HaCluster observer = closeLater(builder("watcher").role(ClusterRole.OBSERVER).build());
        assertThatThrownBy(observer::start).isInstanceOf(HaException.class).hasMessageContaining("NoAuth");

        assertThat(clusterNodes(a)).containsExactlyElementsOf(before);
        assertThat(a.curator().getChildren().forPath(paths(a).agents())).containsExactly("a");
        assertThat(a.membership().list()).extracting(AgentInfo::id).containsExactly("a");
        assertThat(a.timeline().ofKind(EventKind.JOINED)).extracting(ClusterEvent::detail)
                .noneMatch(d -> d.contains("anonymous") || d.contains("impostor") || d.contains("watcher"));
        assertThat(a.leaderElection().isLeader()).isTrue();
    }

    @Test
    void passwordAppearsNeitherInCredentialsTextNorInEventsNorInLogs() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            assertThat(ALICE.toString()).contains("alice").doesNotContain(PASSWORD);
            assertThat(Credentials.parse("alice:" + PASSWORD).toString()).doesNotContain(PASSWORD);
            assertThatThrownBy(() -> Credentials.parse(PASSWORD)).hasMessageNotContaining(PASSWORD);
            assertThatThrownBy(() -> Credentials.parse("alice:")).hasMessageNotContaining("alice:");
            assertThatThrownBy(() -> new Credentials("al:ice", PASSWORD)).hasMessageNotContaining(PASSWORD);

            HaCluster a = protectedMember("a");
            assertThat(a.leaderElection().awaitLeadership(WAIT)).isTrue();
            a.exclusiveWork().runExclusively("job", WAIT, FencingToken::value);
            HaCluster b = protectedMember("b");
            assertThat(a.membership().awaitSize(2, WAIT)).isTrue();
            // A new session must authenticate again to re-create the creator-only registration node.
            expireSessionOnServer(a);
            await().atMost(WAIT).until(() -> a.timeline().ofKind(EventKind.REGISTERED).size() >= 2);
            await().atMost(WAIT).until(() -> b.membership().isAlive("a") && a.connectionGuard().isSafe());
            a.exclusiveWork().runExclusively("job", WAIT, FencingToken::value);
            HaCluster impostor = closeLater(builder("impostor")
                    .credentials(new Credentials("alice", WRONG_PASSWORD)).build());
            Throwable failure = null;
            try {
                impostor.start();
            } catch (HaException e) {
                failure = e;
            }
            assertThat(failure).isNotNull();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t)).doesNotContain(WRONG_PASSWORD);
            }
            b.close();
            await().atMost(WAIT).until(() -> a.membership().size() == 1);

            List<ClusterEvent> events = new ArrayList<>(a.timeline().snapshot());
            events.addAll(b.timeline().snapshot());
            assertThat(events).extracting(ClusterEvent::kind).contains(EventKind.CONNECTED, EventKind.LOST,
                    EventKind.REGISTERED, EventKind.ELECTED, EventKind.LOCK_ACQUIRED, EventKind.JOINED,
                    EventKind.LEFT);
            for (ClusterEvent e : events) {
                assertThat(e.toString()).doesNotContain(PASSWORD);
            }
            List<ILoggingEvent> logged;
            synchronized (logs) { // AppenderBase appends while holding the appender's monitor
                logged = new ArrayList<>(logs.list);
            }
            assertThat(logged).isNotEmpty();
            for (ILoggingEvent e : logged) {
                assertThat(e.getFormattedMessage()).doesNotContain(PASSWORD).doesNotContain(WRONG_PASSWORD);
                for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                    assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD)
                            .doesNotContain(WRONG_PASSWORD);
                }
            }
        } finally {
            root.detachAppender(logs);
        }
    }
}
