package io.ha.agent.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.ha.agent.http.AgentEndpoints;
import io.ha.agent.http.AgentHttpServer;
import io.ha.agent.http.StatusReport;
import io.ha.agent.metrics.ClusterTaskCounts;
import io.ha.agent.metrics.TaskActivity;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ha.core.testing.ZkTestBase;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The overview's recent events are the cluster's: read from every other agent's real {@code /status} (an in-process
 * member behind a real {@link AgentHttpServer}), with the agents that cannot be read named, and read at most about
 * once a second however often pages ask.
 */
class ConsoleEventsTest extends ZkTestBase {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicInteger odd = new AtomicInteger();
    private final List<String> oddPaths = new java.util.concurrent.CopyOnWriteArrayList<>();
    private String leaderEndpoint;
    private HttpServer oddServer;
    private HaCluster leader;
    private String base;

    @BeforeEach
    void startLeaderAndConsole() throws Exception {
        StatusReport report = closeLater(new StatusReport(new ClusterTaskCounts(),
                new TaskActivity(new SimpleMeterRegistry())));
        AtomicReference<HaCluster> self = new AtomicReference<>();
        AtomicReference<String> endpoint = new AtomicReference<>();
        AgentHttpServer leaderHttp = closeLater(AgentHttpServer.start("127.0.0.1", 0, null, new AgentEndpoints() {
            @Override
            public boolean ready() {
                return self.get() != null;
            }

            @Override
            public Map<String, Object> status() {
                HaCluster c = self.get();
                return c == null ? null : report.build(c, new StatusReport.Self(endpoint.get(), false, false, "none"));
            }

            @Override
            public String metrics() {
                return "";
            }

            @Override
            public boolean drain(String requestedBy) {
                return false;
            }
        }));
        endpoint.set(leaderHttp.endpoint());
        leaderEndpoint = leaderHttp.endpoint();
        leader = member("leader", b -> b.httpEndpoint(leaderHttp.endpoint()));
        self.set(leader);
        assertThat(leader.leaderElection().awaitLeadership(WAIT)).isTrue();

        HaCluster console = member("console", b -> b.role(ClusterRole.OBSERVER));
        AgentHttpServer server = closeLater(AgentHttpServer.startConsole("127.0.0.1", 0,
                ConsoleSettings.of("127.0.0.1", null, List.of()), () -> console));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stopOddServer() {
        if (oddServer != null) {
            oddServer.stop(0);
        }
    }

    private String overview() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/ui/"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return r.body();
    }

    /** A server for odd agents: {@code /redirect/status} answers 302, {@code /huge/status} 300 KiB of JSON. */
    private int oddServer() throws Exception {
        oddServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        oddServer.createContext("/", ex -> {
            odd.incrementAndGet();
            oddPaths.add(ex.getRequestURI().toString());
            ex.getResponseHeaders().set("Location", "http://" + leaderEndpoint + "/status");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        oddServer.start();
        return oddServer.getAddress().getPort();
    }

    @Test
    void theObserversOverviewShowsTheLeadersElectedEventReadFromItsStatus() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> assertThat(overview())
                .contains("<tr class=\"event\" data-kind=\"ELECTED\" data-agents=\"leader\">")
                .contains("agent leader leads"));
        // The console's own timeline is there too, under its own id.
        assertThat(overview()).contains("data-kind=\"CONNECTED\" data-agents=\"console\"")
                .doesNotContain("id=\"events-unreached\"");
    }

    @Test
    void agentsThatCannotBeReadAreNamedWithTheReasonAndTheOthersStillShown() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        int oddPort = oddServer();
        member("gone", b -> b.httpEndpoint("127.0.0.1:" + closedPort));
        member("mover", b -> b.httpEndpoint("127.0.0.1:" + oddPort));
        member("pathy", b -> b.httpEndpoint("127.0.0.1:" + oddPort + "/elsewhere?x=1"));
        member("quiet", b -> b.httpEndpoint(null));

        await().atMost(WAIT).untilAsserted(() -> assertThat(overview())
                .contains("data-agent=\"gone\">gone (connection refused)")
                .contains("data-agent=\"mover\">mover (/status answered 302)")
                .contains("data-agent=\"pathy\">pathy (registered HTTP endpoint &#39;127.0.0.1:" + oddPort
                        + "/elsewhere?x=1&#39; is not host:port)")
                .containsPattern("id=\"events-no-endpoint\">[^<]*<span data-agent=\"quiet\">quiet</span></p>")
                .contains("data-kind=\"ELECTED\" data-agents=\"leader\""));
        assertThat(oddPaths).as("only /status was asked for, never pathy's path").isNotEmpty()
                .allMatch("/status"::equals);
    }

    @Test
    void theOtherAgentsAreReadAtMostOnceASecondHoweverOftenPagesAsk() throws Exception {
        int oddPort = oddServer();
        member("mover", b -> b.httpEndpoint("127.0.0.1:" + oddPort));
        await().atMost(WAIT).until(() -> overview().contains("data-agent=\"mover\""));
        int before = odd.get();
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            overview();
        }
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertThat(odd.get() - before).as("reads of mover's /status for 20 pages in about %s s", seconds)
                .isLessThanOrEqualTo((int) seconds + 2);
    }

    @Test
    void onlyHostAndPortOfARegistrationAreUsed() throws Exception {
        assertThat(StatusFetch.statusUri("10.0.0.7:8080")).hasToString("http://10.0.0.7:8080/status");
        assertThat(StatusFetch.statusUri("https://agent-1.example:8443")).hasToString(
                "https://agent-1.example:8443/status");
        assertThat(StatusFetch.statusUri("[::1]:9000")).hasToString("http://[::1]:9000/status");
        for (String bad : List.of("h:1/admin", "h:1?q", "h", "ftp://h:1", "h:1#f", "h:0")) {
            assertThatThrownBy(() -> StatusFetch.statusUri(bad)).as(bad).isInstanceOf(StatusFetch.Unreached.class)
                    .hasMessageContaining("'" + bad + "' is not host:port");
        }
        assertThatThrownBy(() -> StatusFetch.statusUri("user:secret-pw@h:1")).isInstanceOf(StatusFetch.Unreached.class)
                .hasMessageContaining("'...@h:1' is not host:port").hasMessageNotContaining("secret-pw");
    }

    @Test
    void anAnswerLargerThanTheCapIsRefused() throws Exception {
        HttpServer huge = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        byte[] body = ("{\"events\":[],\"pad\":\"" + "x".repeat(300 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        huge.createContext("/", ex -> {
            ex.sendResponseHeaders(200, body.length);
            try (var out = ex.getResponseBody()) {
                out.write(body);
            } catch (java.io.IOException ignored) {
                // The console stopped reading at the cap.
            }
        });
        huge.start();
        try {
            StatusFetch fetch = new StatusFetch(Duration.ofSeconds(5));
            URI uri = StatusFetch.statusUri("127.0.0.1:" + huge.getAddress().getPort());
            assertThatThrownBy(() -> fetch.events(uri).get()).satisfies(e -> assertThat(fetch.reason(e))
                    .isEqualTo("/status answer larger than 256 KiB"));
        } finally {
            huge.stop(0);
        }
    }
}
