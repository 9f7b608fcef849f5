package io.ha.samples.serviceintegration;

import io.ha.samples.SampleRun;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The service-integration sample's HTTP client: real requests to the instances on 127.0.0.1 with the JDK's
 * {@link HttpClient}, each answer narrated as it comes.
 *
 * <p>Guarantee: every call ends within about 15 s (connect and request timeouts) with a status and body, or with
 * {@link Answer#refused()} when nothing listens on the port. Not guaranteed: retries; one failed call is one answer.
 */
final class HttpProbe {
    /** An HTTP answer, or {@code refused} (status -1) when the connection was refused. */
    record Answer(int status, String body, boolean refused) {
    }

    private final SampleRun run;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpProbe(SampleRun run) {
        this.run = run;
    }

    Answer get(int port, String path) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), false);
        } catch (ConnectException e) {
            return new Answer(-1, "connection refused", true);
        } catch (IOException e) {
            return new Answer(-1, e.toString(), false);
        }
    }

    /**
     * {@code GET /hello} on {@code port}, narrated; the answer when it came with status 200 from instance {@code id}
     * and named {@code leader} as the leader, else empty.
     */
    Optional<String> hello(int port, String id, String leader) throws InterruptedException {
        Answer answer = get(port, "/hello");
        String body = answer.body().strip();
        run.say("GET :%d/hello -> %s", port, answer.status() == 200 ? body : "status " + answer.status() + ": " + body);
        boolean expected = answer.status() == 200 && body.startsWith("hello from " + id + " ")
                && body.contains("; leader " + leader + ",");
        return expected ? Optional.of(body) : Optional.empty();
    }
}
