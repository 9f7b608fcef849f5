package io.ha.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.DuplicateAgentException;
import io.ha.core.HaException;
import io.ha.core.ZooKeeperUnavailableException;
import io.ha.core.membership.AgentInfo;
import io.ha.core.testing.ZkTestBase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad configuration fails early and clearly: invalid names and connect strings are refused by the builder with an
 * error naming the setting; an unreachable server or a duplicate agent id fails {@link HaCluster#start()} with a
 * typed error, in bounded time, without leaving anything behind.
 */
class BadInputTest extends ZkTestBase {

    static Stream<Arguments> invalidNames() {
        return Stream.of(
                Arguments.of(""),
                Arguments.of("a/b"),
                Arguments.of("/leading"),
                Arguments.of("trailing/"),
                Arguments.of("x".repeat(201)),
                Arguments.of("ctrl\u0001char"),
                Arguments.of("new\nline"),
                Arguments.of("tab\tbed"),
                Arguments.of("."),
                Arguments.of(".."),
                Arguments.of((Object) null));
    }

    @ParameterizedTest
    @MethodSource("invalidNames")
    void invalidClusterNameIsRejectedNamingTheClusterName(String name) {
        assertThatThrownBy(() -> HaCluster.builder().clusterName(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cluster name");
    }

    @ParameterizedTest
    @MethodSource("invalidNames")
    void invalidAgentIdIsRejectedNamingTheAgentId(String id) {
        assertThatThrownBy(() -> HaCluster.builder().agentId(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("agent id");
    }

    @Test
    void controlCharactersAreShownEscapedInTheError() {
        // The error is meant to be shown to an operator as it is: a raw newline would break the log line.
        assertThatThrownBy(() -> HaCluster.builder().agentId("new\nline"))
                .hasMessageContaining("new\\u000aline")
                .hasMessageNotContaining("\n");
    }

    @Test
    void namesOfExactlyTheMaximumLengthAreAccepted() throws Exception {
        String longest = "n".repeat(200);
        HaCluster c = member(longest, b -> b.clusterName("c".repeat(200)));
        assertThat(c.curator().checkExists().forPath(paths(c).agent(longest))).isNotNull();
    }

    /**
     * Agent ids the builder accepts must also work at start. Regression: an id containing '%' used to crash start()
     * because it was passed into Guava's ThreadFactoryBuilder name format (now escaped by Names.forThreadName).
     */
    @ParameterizedTest
    @ValueSource(strings = {"50%-capacity", "with space", "host:port", "ünïcode-agent", "%s"})
    void anyAgentIdTheBuilderAcceptsStartsAndRegisters(String id) throws Exception {
        HaCluster c = member(id);
        await().atMost(WAIT).until(() -> c.membership().isAlive(id));
        assertThat(c.membership().get(id)).map(AgentInfo::id).hasValue(id);
    }

    static Stream<Arguments> malformedConnectStrings() {
        return Stream.of(
                Arguments.of("", "must not be empty"),
                Arguments.of("   ", "must not be empty"),
                Arguments.of("host:notaport", "'notaport'"),
                Arguments.of("host:70000", "70000"),
                Arguments.of("host:0", "outside 1-65535"),
                Arguments.of("host:", "is not a number"),
                Arguments.of(":2181", "no valid host"),
                Arguments.of("a:1,,b:2", "empty server entry"),
                Arguments.of("a:1,b:2,", "empty server entry"),
                Arguments.of("host:2181/chroot/", "chroot '/chroot/'"),
                Arguments.of("/chroot", "names no server"),
                Arguments.of("::1:2181", "brackets"));
    }

    @ParameterizedTest
    @MethodSource("malformedConnectStrings")
    void malformedConnectStringIsRejectedNamingTheProblem(String connectString, String problem) {
        assertThatThrownBy(() -> HaCluster.builder().connectString(connectString))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connect string")
                .hasMessageContaining(problem);
    }

    /**
     * A chroot that ZooKeeper's own path rules reject ("//", "/./", "/../") is refused by the builder, naming the
     * chroot, instead of surfacing after the connection timeout as an unreachable server.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/app//ha", "/app/./ha", "/app/../ha"})
    void chrootThatZooKeeperWouldRejectIsRefusedByTheBuilder(String chroot) {
        assertThatThrownBy(() -> HaCluster.builder().connectString("127.0.0.1:2181" + chroot))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connect string")
                .hasMessageContaining(chroot);
    }

    /**
     * A chroot is part of the accepted syntax ({@code host:port[/chroot]}); when it does not exist yet, start()
     * must either create it or fail with an {@link HaException} that names it (it fails, naming the chroot
     * and how to create it: ZooKeeper's convention is that a chroot exists before clients use it).
     */
    @Test
    void connectStringWithAChrootThatDoesNotExistYetWorksOrFailsNamingIt() throws Exception {
        HaCluster c = closeLater(builder("chrooted").connectString(server.getConnectString() + "/apps/ha").build());
        Throwable failure = null;
        try {
            c.start();
        } catch (Exception e) {
            failure = e;
        }
        if (failure == null) {
            assertThat(c.curator().checkExists().forPath(paths(c).agent("chrooted"))).isNotNull();
        } else {
            assertThat(failure).isInstanceOf(HaException.class).hasMessageContaining("/apps/ha");
        }
    }

    @Test
    void unreachableZooKeeperFailsStartWithinBoundedTimeNamingTheConnectStringAndLeavesNoThreads()
            throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        String connectString = "127.0.0.1:" + closedPort;
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        HaCluster c = HaCluster.builder()
                .connectString(connectString)
                .clusterName("test")
                .agentId("lonely")
                .sessionTimeout(SESSION)
                .connectionTimeout(Duration.ofSeconds(1))
                .build();

        long start = System.nanoTime();
        assertThatThrownBy(c::start)
                .isInstanceOf(ZooKeeperUnavailableException.class)
                .hasMessageContaining(connectString)
                .hasMessageContaining("1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));

        // Everything start() made is closed again: no thread of its own keeps the JVM alive, and the ZooKeeper
        // client's own (daemon) threads end as well. Polled in this thread so Awaitility adds none.
        await().pollInSameThread().atMost(WAIT).untilAsserted(() -> {
            assertThat(newThreads(before, t -> !t.isDaemon())).as("new non-daemon threads").isEmpty();
            assertThat(newThreads(before, t -> t.getName().contains("SendThread")
                    || t.getName().contains("EventThread"))).as("ZooKeeper client threads").isEmpty();
        });
        // The failed instance cannot be reused; a fresh one against a live server works.
        assertThatThrownBy(c::start).isInstanceOf(IllegalStateException.class);
        HaCluster live = member("lonely");
        assertThat(live.connectionGuard().isSafe()).isTrue();
    }

    private static List<String> newThreads(Set<Thread> before, java.util.function.Predicate<Thread> which) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive() && which.test(t))
                .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : ""))
                .collect(Collectors.toList());
    }

    /** HaCluster reads the client's jute.maxbuffer to raise it for batched reads; garbage there is named. */
    @Test
    void clientPacketLimitThatIsNotANumberFailsStartNamingTheProperty() {
        String before = System.getProperty("jute.maxbuffer");
        System.setProperty("jute.maxbuffer", "lots");
        try {
            HaCluster cluster = closeLater(builder("agent").build());
            assertThatThrownBy(cluster::start)
                    .hasMessageContaining("jute.maxbuffer")
                    .hasMessageContaining("'lots'");
        } finally {
            if (before == null) {
                System.clearProperty("jute.maxbuffer");
            } else {
                System.setProperty("jute.maxbuffer", before);
            }
        }
    }

    @Test
    void connectionTimeoutLongerThanSessionTimeoutIsRejectedNamingBoth() {
        HaClusterBuilder b = HaCluster.builder()
                .connectString(server.getConnectString())
                .connectionTimeout(Duration.ofSeconds(5))
                .sessionTimeout(Duration.ofSeconds(4));
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connection timeout")
                .hasMessageContaining("session timeout")
                .hasMessageContaining("5000")
                .hasMessageContaining("4000");
        // Against the defaults as well (session timeout 15 s).
        assertThatThrownBy(() -> HaCluster.builder().connectionTimeout(Duration.ofSeconds(20)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connection timeout")
                .hasMessageContaining("session timeout");
    }

    @Test
    void nonPositiveTimeoutsAreRejectedNamingTheSetting() {
        Map<String, Runnable> settings = Map.of(
                "session timeout", () -> HaCluster.builder().sessionTimeout(Duration.ZERO),
                "connection timeout", () -> HaCluster.builder().connectionTimeout(Duration.ofMillis(-1)),
                "leader stop timeout", () -> HaCluster.builder().leaderStopTimeout(null));
        settings.forEach((name, set) -> assertThatThrownBy(set::run).as(name)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name));
    }

    @Test
    void secondMemberWithALiveAgentIdFailsNamingTheIdAndLeavesTheFirstUntouched() throws Exception {
        HaCluster first = member("dup-agent-7");
        Stat registered = first.curator().checkExists().forPath(paths(first).agent("dup-agent-7"));
        HaCluster second = closeLater(builder("dup-agent-7").build());

        long start = System.nanoTime();
        // Waits up to session + connection timeout (about 7 s) for the id to become free first.
        assertThatThrownBy(second::start)
                .isInstanceOf(DuplicateAgentException.class)
                .hasMessageContaining("'dup-agent-7'");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));

        Stat after = first.curator().checkExists().forPath(paths(first).agent("dup-agent-7"));
        assertThat(after).isNotNull();
        assertThat(after.getEphemeralOwner()).isEqualTo(first.connectionGuard().sessionId());
        assertThat(after.getCzxid()).isEqualTo(registered.getCzxid());
        assertThat(first.membership().list()).extracting(AgentInfo::id).containsExactly("dup-agent-7");
        assertThat(first.curator().getChildren().forPath(paths(first).leader())).hasSize(1);
    }
}
