package io.ha.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ha.agent.config.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * What a hostile client can do to the endpoint: large or unwanted request bodies, headers trickled to hold the
 * server's threads, and token guessing that would flood the log. Real sockets against the real server.
 */
@Timeout(90)
class AgentHttpServerAbuseTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "t0ken-0123456789abcdef";

    private final List<String> drains = new CopyOnWriteArrayList<>();

    private final AgentEndpoints stub = new AgentEndpoints() {
        @Override public boolean ready() { return true; }
        @Override public Map<String, Object> status() { return Map.of(); }
        @Override public String metrics() { return ""; }
        @Override public boolean drain(String by) { drains.add(by); return true; }
    };

    private static HttpResponse<String> post(AgentHttpServer server, String auth, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + server.endpoint() + "/drain"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", auth).POST(body).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bodyOver4KiBGets413AndDrainsNothing() throws Exception {
        try (AgentHttpServer server = AgentHttpServer.start("127.0.0.1", 0, new Secret(TOKEN), stub)) {
            byte[] big = new byte[5 * 1024];
            HttpResponse<String> sized = post(server, "Bearer " + TOKEN, HttpRequest.BodyPublishers.ofByteArray(big));
            assertThat(sized.statusCode()).isEqualTo(413);
            assertThat(sized.body()).contains("4096 bytes");
            HttpResponse<String> chunked = post(server, "Bearer " + TOKEN,
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
            assertThat(chunked.statusCode()).isEqualTo(413);
            assertThat(drains).isEmpty();

            assertThat(post(server, "Bearer " + TOKEN, HttpRequest.BodyPublishers.ofString("{}")).statusCode())
                    .isEqualTo(202);
            assertThat(drains).hasSize(1);
        }
    }

    @Test
    void bodyOfAGetIsNotRead() throws Exception {
        try (AgentHttpServer server = AgentHttpServer.start("127.0.0.1", 0, null, stub);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            // The body announced is never sent: a server that reads it waits instead of answering.
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] head = socket.getInputStream().readNBytes(15);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    @Test
    void clientsTricklingHeadersAreCutOffAndOthersAreStillServed() throws Exception {
        int slow = 8; // twice the server's threads
        ExecutorService pool = Executors.newFixedThreadPool(slow);
        List<Socket> sockets = new ArrayList<>();
        try (AgentHttpServer server = AgentHttpServer.start("127.0.0.1", 0, null, stub)) {
            List<Future<?>> tricklers = new ArrayList<>();
            for (int i = 0; i < slow; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                sockets.add(s);
                tricklers.add(pool.submit(() -> trickle(s)));
            }
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://" + server.endpoint() + "/health")).timeout(Duration.ofSeconds(45)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            // Every trickler was still sending (none gives up by itself): the server cut them off.
            await().atMost(Duration.ofSeconds(30)).until(() -> tricklers.stream().allMatch(Future::isDone));
        } finally {
            pool.shutdownNow();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Sends a request's headers one byte every 100 ms, forever, until the server closes the connection. */
    private static Void trickle(Socket socket) throws IOException, InterruptedException {
        OutputStream out = socket.getOutputStream();
        byte[] line = "GET /health HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII);
        int i = 0;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                out.write(i < line.length ? line[i++] : 'x');
                out.flush();
                Thread.sleep(100);
                if (socket.getInputStream().available() > 0) {
                    return null;
                }
            }
        } catch (IOException e) {
            return null; // closed by the server
        }
        return null;
    }

    @Test
    void failedTokenChecksAreLoggedOncePerClient() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(AgentHttpServer.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try (AgentHttpServer server = AgentHttpServer.start("127.0.0.1", 0, new Secret(TOKEN), stub)) {
            for (int i = 0; i < 20; i++) {
                assertThat(post(server, "Bearer guess-" + i, HttpRequest.BodyPublishers.noBody()).statusCode())
                        .isEqualTo(401);
            }
        } finally {
            log.detachAppender(events);
        }
        List<ILoggingEvent> warnings = events.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains("127.0.0.1").contains("/drain")
                .doesNotContain("guess-");
        assertThat(drains).isEmpty();
    }
}
