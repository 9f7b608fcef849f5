package io.ha.agent.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ha.agent.config.Secret;
import io.ha.agent.console.ConsoleHandler;
import io.ha.agent.console.ConsoleSettings;
import io.ha.agent.metrics.AgentMetrics;
import io.ha.core.cluster.ProcessIdentity;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP endpoint (JDK {@code com.sun.net.httpserver}): {@code GET /health}, {@code GET /ready},
 * {@code GET /status} (JSON), {@code GET /metrics} (Prometheus text), {@code POST /drain}, and the web console under
 * {@code /ui} ({@link ConsoleHandler}, with its own sign-in, CSRF and Host checks).
 *
 * <p>Guarantees: binds to the configured address only (127.0.0.1 by default); {@code /drain} needs
 * {@code Authorization: Bearer <token>} (401 without or with a wrong one, compared in constant time) and answers 404
 * when no token is configured. Read-only endpoints need no token: bind to a private address when the status must not
 * be public. Errors are answered with a short message, never a stack trace. A failed token check is logged at WARN
 * once per client address ({@link OncePerClient}), never with the token sent.
 *
 * <p>Limits against hostile clients: a request body is read only by {@code POST /drain}, after the token check, and
 * at most {@value #MAX_BODY_BYTES} bytes of it (413 beyond). A client gets {@value #REQUEST_SECONDS}s to send its whole
 * request and {@value #RESPONSE_SECONDS}s to take its response, then the connection is closed: headers trickled byte
 * by byte hold a server thread that long at most. These limits are the JDK server's
 * {@code sun.net.httpserver.maxReqTime} and {@code maxRspTime}, which it reads once per JVM, when the first server is
 * created: set here unless already set on the command line, they do not apply when something else in the JVM created
 * a JDK HTTP server first (the agent creates none).
 */
public final class AgentHttpServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    /** Largest request body read (only {@code POST /drain} reads one). */
    public static final int MAX_BODY_BYTES = 4096;
    /** Seconds a client has to send its request line, headers and body. */
    public static final int REQUEST_SECONDS = 5;
    /** Seconds a client has to take its response. */
    public static final int RESPONSE_SECONDS = 10;
    private static final int CLIENTS_REMEMBERED = 1024;

    static {
        setIfAbsent("sun.net.httpserver.maxReqTime", REQUEST_SECONDS);
        setIfAbsent("sun.net.httpserver.maxRspTime", RESPONSE_SECONDS);
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final String endpoint;

    private AgentHttpServer(HttpServer server, ExecutorService executor, String endpoint) {
        this.server = server;
        this.executor = executor;
        this.endpoint = endpoint;
    }

    /**
     * Binds and starts serving.
     *
     * @param token the bearer token of mutating endpoints, or null to disable them
     * @throws IOException when the address cannot be bound (in use, not local), with the address in the message
     */
    public static AgentHttpServer start(String host, int port, Secret token, AgentEndpoints agent) throws IOException {
        return start(host, port, token, agent, null, List.of());
    }

    /**
     * Binds and starts serving, the console signing in with {@code token} or {@code consoleToken}.
     *
     * @param consoleToken a token that signs in to the console only, or null
     * @param consoleHosts host names besides the bound one and loopback that the console answers
     */
    public static AgentHttpServer start(String host, int port, Secret token, AgentEndpoints agent,
                                        Secret consoleToken, List<String> consoleHosts) throws IOException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IOException("http.host '" + host + "' does not resolve to an address");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new IOException("cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(4,
                new ThreadFactoryBuilder().setNameFormat("ha-http-%d").setDaemon(true).build());
        server.setExecutor(executor);
        server.createContext("/health", ex -> get(ex, () -> text(ex, 200, "ok\n")));
        server.createContext("/ready", ex -> get(ex, () -> {
            boolean ready = agent.ready();
            text(ex, ready ? 200 : 503, ready ? "ready\n" : "not ready: not connected or not registered\n");
        }));
        server.createContext("/status", ex -> get(ex, () -> {
            Map<String, Object> status = agent.status();
            if (status == null) {
                json(ex, 503, Map.of("error", "the agent is not connected to its cluster yet"));
            } else {
                json(ex, 200, status);
            }
        }));
        server.createContext("/metrics", ex -> get(ex, () -> send(ex, 200, AgentMetrics.CONTENT_TYPE,
                agent.metrics().getBytes(StandardCharsets.UTF_8))));
        OncePerClient refused = new OncePerClient(CLIENTS_REMEMBERED);
        server.createContext("/drain", ex -> handle(ex, () -> drain(ex, token, agent, refused)));
        server.createContext("/ui", new ConsoleHandler(ConsoleSettings.of(host, ProcessIdentity.hostName(),
                consoleHosts, token, consoleToken), agent::cluster));
        server.createContext("/", ex -> handle(ex, () -> text(ex, 404,
                "not found; try /health, /ready, /status, /metrics, POST /drain or the console at /ui\n")));
        server.start();
        InetSocketAddress bound = server.getAddress();
        String shownHost = bound.getAddress().isAnyLocalAddress() ? ProcessIdentity.hostName() : host;
        return new AgentHttpServer(server, executor, shownHost + ":" + bound.getPort());
    }

    /**
     * Serves only the web console (for {@code ha-ctl console}): {@code /ui}, and {@code /} redirecting to it.
     *
     * @throws IOException when the address cannot be bound, with the address in the message
     */
    public static AgentHttpServer startConsole(String host, int port, ConsoleSettings settings,
                                               java.util.function.Supplier<io.ha.core.cluster.HaCluster> cluster)
            throws IOException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IOException("host '" + host + "' does not resolve to an address");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new IOException("cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(4,
                new ThreadFactoryBuilder().setNameFormat("ha-console-%d").setDaemon(true).build());
        server.setExecutor(executor);
        server.createContext("/ui", new ConsoleHandler(settings, cluster));
        server.createContext("/", ex -> handle(ex, () -> {
            ex.getResponseHeaders().set("Location", "/ui/");
            ex.sendResponseHeaders(302, -1);
        }));
        server.start();
        InetSocketAddress bound = server.getAddress();
        String shownHost = bound.getAddress().isAnyLocalAddress() ? ProcessIdentity.hostName() : host;
        return new AgentHttpServer(server, executor, shownHost + ":" + bound.getPort());
    }

    /** {@code host:port} as others can reach it (the host name when bound to every address). */
    public String endpoint() {
        return endpoint;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void drain(HttpExchange ex, Secret token, AgentEndpoints agent, OncePerClient refused)
            throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", "POST");
            text(ex, 405, "use POST /drain\n");
            return;
        }
        if (token == null) {
            text(ex, 404, "drain over HTTP is disabled: no http.token (or http.token.file) is configured\n");
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
        if (!token.matches(given)) {
            InetAddress client = ex.getRemoteAddress().getAddress();
            if (refused.first(client)) {
                LOG.warn("HTTP POST /drain from {} refused: {} bearer token (further failures from this address are "
                        + "not logged)", client.getHostAddress(), given == null ? "no" : "wrong");
            }
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            text(ex, 401, "unauthorized: send Authorization: Bearer <http.token>\n");
            return;
        }
        if (!readBody(ex)) {
            return;
        }
        boolean started = agent.drain("http " + ex.getRemoteAddress().getAddress().getHostAddress());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("draining", true);
        body.put("started", started);
        json(ex, 202, body);
    }

    /** Reads at most {@link #MAX_BODY_BYTES} of the body; false when it is larger (413 already answered). */
    private static boolean readBody(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        boolean tooLarge = length != null && length.trim().length() > 0 && parsedOr(length.trim()) > MAX_BODY_BYTES;
        if (!tooLarge) {
            tooLarge = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1).length > MAX_BODY_BYTES;
        }
        if (tooLarge) {
            ex.getResponseHeaders().set("Connection", "close");
            text(ex, 413, "request body too large: " + ex.getRequestURI().getPath() + " takes at most "
                    + MAX_BODY_BYTES + " bytes\n");
        }
        return !tooLarge;
    }

    private static long parsedOr(String number) {
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // The JDK server refuses a malformed Content-Length before it gets here.
        }
    }

    private static void setIfAbsent(String property, int seconds) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(seconds));
        }
    }

    @FunctionalInterface
    private interface Action {
        void run() throws IOException;
    }

    private static void get(HttpExchange ex, Action action) {
        handle(ex, () -> {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                text(ex, 405, "use GET\n");
            } else {
                action.run();
            }
        });
    }

    private static void handle(HttpExchange ex, Action action) {
        try (ex) {
            // The body is not read here: only the endpoints that take one read it, capped.
            action.run();
        } catch (IOException e) {
            // The client went away mid-response: nothing to answer to.
            LOG.debug("HTTP {} {} aborted: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
        } catch (RuntimeException e) {
            LOG.warn("HTTP {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
            try {
                text(ex, 500, "internal error: " + e.getClass().getSimpleName() + "\n");
            } catch (IOException | RuntimeException ignored) {
                // Headers were already sent; the client sees a truncated response.
            }
        }
    }

    private static void json(HttpExchange ex, int code, Object body) throws IOException {
        send(ex, code, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void text(HttpExchange ex, int code, String body) throws IOException {
        send(ex, code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int code, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(code, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
