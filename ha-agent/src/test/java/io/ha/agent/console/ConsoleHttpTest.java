package io.ha.agent.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.agent.config.Secret;
import io.ha.agent.http.AgentHttpServer;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.schedule.Schedules;
import io.ha.core.testing.ZkTestBase;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console over plain HTTP: security headers, Host check, read-only refusal, sign-in, CSRF, error pages. */
class ConsoleHttpTest extends ZkTestBase {
    private static final String TOKEN = "console-test-token-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private HaCluster cluster;
    private String base;
    private int port;

    @BeforeEach
    void startConsole() throws Exception {
        cluster = member("console", b -> b.role(ClusterRole.OBSERVER));
        AgentHttpServer server = closeLater(AgentHttpServer.startConsole("127.0.0.1", 0,
                ConsoleSettings.of("127.0.0.1", null, List.of(), new Secret(TOKEN)), () -> cluster));
        port = server.port();
        base = "http://127.0.0.1:" + port;
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Signs in; returns the session cookie ({@code name=value}). */
    private String signIn() throws Exception {
        HttpResponse<String> r = post("/ui/signin", "token=" + TOKEN, null);
        assertThat(r.statusCode()).isEqualTo(303);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/ui");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static String csrfOf(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as("a CSRF token in the page").isTrue();
        return m.group(1);
    }

    private static void assertNoStackTrace(HttpResponse<String> r) {
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at io.ha.");
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        for (String path : List.of("/ui/", "/ui/tasks", "/ui/no-such-page", "/ui/assets/htmx.min.js",
                "/ui/task/0000000000-0")) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path)
                    .hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'")
                            .contains("frame-ancestors 'none'"));
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).contains("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(path).contains("same-origin");
        }
        HttpResponse<String> overview = get("/ui/", null);
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("read-only").contains("/ui/assets/htmx.min.js")
                .doesNotContain("<script>").doesNotContain("style=\"");
        assertThat(get("/ui/assets/htmx.min.js", null).body()).contains("htmx");
    }

    @Test
    void aHostHeaderNamingAnotherHostIsRefused() throws Exception {
        assertThat(rawStatus("evil.example")).isEqualTo(403);
        assertThat(rawStatus("evil.example:" + port)).isEqualTo(403);
        assertThat(rawStatus("localhost:" + port)).isEqualTo(200);
        assertThat(rawStatus("127.0.0.1:" + port)).isEqualTo(200);
    }

    private int rawStatus(String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /ui/ HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    void withoutSignInEveryActionIsRefusedAndNothingChanges() throws Exception {
        String id = cluster.taskQueue().submit(TaskSpec.builder("work").build());
        cluster.schedules().create("nightly", Trigger.every(Duration.ofHours(1)),
                TaskSpec.builder("work").build(), Schedules.Options.defaults());

        for (String[] action : new String[][] {{"cancel", "id=" + id}, {"retry", "id=" + id},
                {"drain", "agent=console"}, {"pause", "name=nightly"}, {"trigger", "name=nightly"}}) {
            HttpResponse<String> r = post("/ui/action/" + action[0], action[1] + "&csrf=guess", null);
            assertThat(r.statusCode()).as(action[0]).isEqualTo(403);
            assertThat(r.body()).contains("read-only");
        }
        assertThat(cluster.taskQueue().get(id).orElseThrow().state()).isEqualTo(TaskState.PENDING);
        assertThat(cluster.schedules().get("nightly").orElseThrow().record().enabled()).isTrue();
        assertThat(get("/ui/task/" + id, null).body()).contains("disabled title=\"read-only");
    }

    @Test
    void aSignedInOperatorActsOnlyWithTheCsrfTokenOfTheSession() throws Exception {
        String id = cluster.taskQueue().submit(TaskSpec.builder("work").build());
        assertThat(post("/ui/signin", "token=wrong-token-0123456789", null).statusCode()).isEqualTo(403);
        String cookie = signIn();
        String page = get("/ui/task/" + id, cookie).body();
        assertThat(page).contains("signed in");

        HttpResponse<String> forged = post("/ui/action/cancel", "id=" + id, cookie);
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("CSRF");
        assertThat(post("/ui/action/cancel", "id=" + id + "&csrf=wrong", cookie).statusCode()).isEqualTo(403);
        assertThat(cluster.taskQueue().get(id).orElseThrow().state()).isEqualTo(TaskState.PENDING);

        HttpResponse<String> done = post("/ui/action/cancel", "id=" + id + "&csrf=" + csrfOf(page), cookie);
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).contains("/ui/task/" + id + "?done=cancelled");
        assertThat(cluster.taskQueue().get(id).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(get("/ui/task/" + id + "?done=cancelled", cookie).body()).contains("Task cancelled.");
    }

    @Test
    void badInputGetsAClearStatusAndNoStackTrace() throws Exception {
        HttpResponse<String> unknown = get("/ui/task/0190000000a-00000000abcd", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("No such task");
        HttpResponse<String> state = get("/ui/tasks?state=BOGUS", null);
        assertThat(state.statusCode()).isEqualTo(400);
        assertThat(state.body()).contains("parameter &#39;state&#39;").contains("PENDING");
        HttpResponse<String> size = get("/ui/tasks?size=100000000", null);
        assertThat(size.statusCode()).isEqualTo(400);
        assertThat(size.body()).contains("parameter &#39;size&#39;").contains("at most " + TaskPages.MAX_SIZE);
        HttpResponse<String> cursor = get("/ui/tasks?after=%3Cscript%3E", null);
        assertThat(cursor.statusCode()).isEqualTo(400);
        assertThat(cursor.body()).contains("parameter &#39;after&#39;").doesNotContain("<script>");
        HttpResponse<String> type = get("/ui/tasks?type=a%2Fb%3Cx%3E", null);
        assertThat(type.statusCode()).isEqualTo(400);
        assertThat(type.body()).contains("parameter &#39;type&#39;").doesNotContain("<x>");
        assertThat(get("/ui/tasks?q=%3Cimg%20src%3Dx%3E", null).body()).contains("&lt;img src=x&gt;")
                .doesNotContain("<img src=x>");
        for (HttpResponse<String> r : List.of(unknown, state, size, cursor, type)) {
            assertNoStackTrace(r);
        }
        assertThat(get("/ui/action/cancel", null).statusCode()).isEqualTo(405);
    }

    @Test
    void pagesListTasksSchedulesAndLimits() throws Exception {
        String id = cluster.taskQueue().submit(TaskSpec.builder("report").idempotencyKey("order-7").build());

        assertThat(get("/ui/tasks", null).body()).contains(id);
        assertThat(get("/ui/tasks?state=PENDING&type=report&size=5", null).body()).contains(id);
        assertThat(get("/ui/tasks?state=DEAD", null).body()).doesNotContain(id);
        assertThat(get("/ui/tasks?q=order-7", null).body()).contains(id);
        assertThat(get("/ui/task/" + id, null).body()).contains("order-7").contains("PENDING");
        assertThat(get("/ui/schedules", null).statusCode()).isEqualTo(200);
        assertThat(get("/ui/limits", null).statusCode()).isEqualTo(200);
    }
}
