package io.ha.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.agent.config.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The endpoint's routing and access rules, against a stub agent (the real agent is covered by AgentHttpTest). */
class AgentHttpServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "t0ken-0123456789abcdef";

    private final List<String> drains = new CopyOnWriteArrayList<>();
    private volatile boolean ready;

    private final AgentEndpoints stub = new AgentEndpoints() {
        @Override public boolean ready() { return ready; }
        @Override public Map<String, Object> status() { return ready ? Map.of("agent", Map.of("id", "stub")) : null; }
        @Override public String metrics() { return "# TYPE x gauge\nx 1\n"; }
        @Override public boolean drain(String by) { drains.add(by); return drains.size() == 1; }
    };

    private static HttpResponse<String> send(AgentHttpServer server, String method, String path, String auth)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + server.endpoint() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthReadyStatusAndMetrics() throws Exception {
        try (AgentHttpServer server = AgentHttpServer.start("127.0.0.1", 0, null, stub)) {
            assertThat(server.endpoint()).isEqualTo("127.0.0.1:" + server.port());
            assertThat(send(server, "GET", "/health", null).statusCode()).isEqualTo(200);
            assertThat(send(server, "GET", "/ready", null).statusCode()).isEqualTo(503);
            assertThat(send(server, "GET", "/status", null).statusCode()).isEqualTo(503);
            ready = true;
            assertThat(send(server, "GET", "/ready", null).statusCode()).isEqualTo(200);
            HttpResponse<String> status = send(server, "GET", "/status", null);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(status.body()).contains("\"id\" : \"stub\"");
            HttpResponse<String> metrics = send(server, "GET", "/metrics", null);
            assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
            assertThat(metrics.body()).contains("x 1");
            assertThat(send(server, "POST", "/status", null).statusCode()).isEqualTo(405);
            assertThat(send(server, "GET", "/nope", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void drainIsDisabledWithoutAToken() throws Exception {
        try (AgentHttpServer server = AgentHttpServer.start("127.0.0.1", 0, null, stub)) {
            HttpResponse<String> r = send(server, "POST", "/drain", "Bearer anything");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("http.token");
            assertThat(drains).isEmpty();
        }
    }

    @Test
    void drainNeedsTheBearerToken() throws Exception {
        try (AgentHttpServer server = AgentHttpServer.start("127.0.0.1", 0, new Secret(TOKEN), stub)) {
            assertThat(send(server, "POST", "/drain", null).statusCode()).isEqualTo(401);
            assertThat(send(server, "POST", "/drain", "Bearer wrong-token-0123456789").statusCode()).isEqualTo(401);
            assertThat(send(server, "POST", "/drain", TOKEN).statusCode()).isEqualTo(401);
            assertThat(send(server, "GET", "/drain", "Bearer " + TOKEN).statusCode()).isEqualTo(405);
            assertThat(drains).isEmpty();

            HttpResponse<String> first = send(server, "POST", "/drain", "Bearer " + TOKEN);
            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(first.body()).contains("\"started\" : true");
            assertThat(send(server, "POST", "/drain", "bearer " + TOKEN).body()).contains("\"started\" : false");
            assertThat(drains).hasSize(2).allSatisfy(by -> assertThat(by).startsWith("http 127.0.0.1"));
        }
    }

    @Test
    void busyPortIsAClearError() throws Exception {
        try (AgentHttpServer first = AgentHttpServer.start("127.0.0.1", 0, null, stub)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> AgentHttpServer.start("127.0.0.1", first.port(), null, stub))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("127.0.0.1:" + first.port());
        }
    }
}
