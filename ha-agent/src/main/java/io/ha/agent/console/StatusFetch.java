package io.ha.agent.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads the recent events of one agent's {@code GET /status}, from the endpoint ({@code host:port}) it registered.
 *
 * <p>Guarantees: only {@code http://host:port/status} (or {@code https://} when the registration says so) is asked
 * for, whatever else the registration holds (a path, a query or user info is refused); redirects are never
 * followed; at most {@link #MAX_BYTES} of an answer are read; every failure is a {@link Unreached} with a short
 * reason. Not guaranteed: that the events are the agent's own (the endpoint is as trustworthy as the registration),
 * or that its clock agrees with this host's.
 */
final class StatusFetch {
    /** The most bytes of one {@code /status} answer that are read. */
    static final int MAX_BYTES = 256 * 1024;
    /** The most events taken from one answer (what {@code /status} shows). */
    static final int MAX_EVENTS = 50;

    /** One event as an agent recorded it. */
    record Event(Instant time, String kind, long token, String detail) {
    }

    /** Why an agent's events could not be read. */
    static final class Unreached extends Exception {
        Unreached(String reason) {
            super(reason, null, false, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;

    StatusFetch(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The {@code /status} URI of a registered endpoint: {@code host:port}, or {@code http(s)://host:port}. */
    static URI statusUri(String endpoint) throws Unreached {
        if (endpoint == null || endpoint.isBlank()) {
            throw new Unreached("no HTTP endpoint registered");
        }
        String scheme = "http";
        String rest = endpoint.strip();
        if (rest.regionMatches(true, 0, "https://", 0, 8)) {
            scheme = "https";
            rest = rest.substring(8);
        } else if (rest.regionMatches(true, 0, "http://", 0, 7)) {
            rest = rest.substring(7);
        }
        try {
            URI parsed = new URI("http://" + rest);
            if (parsed.getHost() == null || parsed.getPort() < 1 || parsed.getRawUserInfo() != null
                    || !parsed.getRawPath().isEmpty() || parsed.getRawQuery() != null
                    || parsed.getRawFragment() != null) {
                throw new URISyntaxException(endpoint, "not host:port");
            }
            return new URI(scheme, null, parsed.getHost(), parsed.getPort(), "/status", null, null);
        } catch (URISyntaxException e) {
            // Whatever precedes an '@' could be a password: never shown.
            throw new Unreached("registered HTTP endpoint '" + (endpoint.indexOf('@') >= 0 ? "...@"
                    + endpoint.substring(endpoint.lastIndexOf('@') + 1) : endpoint) + "' is not host:port");
        }
    }

    /** Starts reading; the future fails with {@link Unreached} (or an I/O error {@link #reason} explains). */
    CompletableFuture<List<Event>> events(URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
                .GET().build();
        return http.sendAsync(request, info -> info.statusCode() == 200 ? new Capped()
                        : HttpResponse.BodySubscribers.replacing(null))
                .thenApply(r -> {
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("/status answered " + r.statusCode());
                    }
                    return parse(r.body());
                });
    }

    /** A short reason for a failed fetch, for the page. */
    String reason(Throwable t) {
        Throwable e = t;
        while ((e instanceof java.util.concurrent.CompletionException
                || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof HttpTimeoutException || e instanceof java.util.concurrent.TimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof Unreached || e instanceof IllegalStateException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static List<Event> parse(byte[] body) {
        JsonNode events;
        try {
            events = JSON.readTree(body).path("events");
        } catch (IOException e) {
            throw new IllegalStateException("/status is not JSON");
        }
        if (!events.isArray()) {
            throw new IllegalStateException("/status has no events (an older agent?)");
        }
        List<Event> out = new ArrayList<>();
        int skip = Math.max(0, events.size() - MAX_EVENTS);
        for (JsonNode e : events) {
            if (skip-- > 0) {
                continue;
            }
            try {
                out.add(new Event(Instant.parse(e.path("time").asText()), e.path("kind").asText("?"),
                        e.path("token").asLong(-1), e.path("detail").asText("")));
            } catch (DateTimeParseException ignored) {
                // An event without a readable time cannot be placed in the merged list; the others still are.
            }
        }
        return out;
    }

    /** Collects a body of at most {@link #MAX_BYTES}, cancelling the exchange as soon as it is longer. */
    private static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (result.isDone()) {
                    return;
                }
                if (out.size() + b.remaining() > MAX_BYTES) {
                    subscription.cancel();
                    result.completeExceptionally(new Unreached("/status answer larger than " + MAX_BYTES / 1024
                            + " KiB"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
