package io.ha.agent.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ha.agent.metrics.ClusterTaskCounts;
import io.ha.core.HaException;
import io.ha.core.NoSuchTaskException;
import io.ha.core.TaskRejectedException;
import io.ha.core.ZooKeeperUnavailableException;
import io.ha.core.cluster.HaCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console under {@code /ui}: server-rendered pages of the whole cluster (read from ZooKeeper through the
 * queries {@code ha-ctl} uses), refreshed in place every two seconds, and the operator's actions.
 *
 * <p>Guarantees: a request whose {@code Host} header names no allowed host is refused (403) before anything is read,
 * against DNS rebinding; every answer carries a strict CSP ({@code default-src 'self'}, no framing), nosniff, no
 * referrer to other sites and no caching; an action is done only for a signed-in session with its CSRF token, from
 * this origin (403 otherwise, nothing changed); without any sign-in token configured the console is read-only for
 * everyone. Errors are short pages with the status code, never a stack trace. Not guaranteed: confidentiality on the
 * wire (plain HTTP: bind to a private address or put TLS in front), or sessions across restarts.
 */
public final class ConsoleHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);
    static final String CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'";

    private final ConsoleSettings settings;
    private final Supplier<HaCluster> cluster;
    private final Sessions sessions = new Sessions();
    private final ClusterTaskCounts counts = new ClusterTaskCounts();
    private final Throughput throughput = new Throughput();
    private final ClusterEvents events = new ClusterEvents();
    private final Assets assets = new Assets();

    /** @param cluster the cluster to show and steer; may return null while not connected (pages answer 503) */
    public ConsoleHandler(ConsoleSettings settings, Supplier<HaCluster> cluster) {
        this.settings = settings;
        this.cluster = cluster;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            headers(ex);
            if (!settings.hostAllowed(ex.getRequestHeaders().getFirst("Host"))) {
                page(ex, 403, "Host not allowed", Html.message("Host not allowed", "This console answers only "
                        + "requests for the host it is bound to and loopback names; add other names to "
                        + "http.console.hosts (ha-ctl console --host-name)."), Viewer.READ_ONLY);
                return;
            }
            Request r;
            try {
                r = Request.of(ex);
            } catch (Request.BadRequest e) {
                page(ex, e.status, "Bad request", Html.message("Bad request", e.getMessage()), Viewer.READ_ONLY);
                return;
            }
            Viewer viewer = sessions.viewer(r.sessionCookie());
            try {
                route(r, viewer);
            } catch (Request.BadRequest e) {
                page(ex, e.status, "Bad request", Html.message("Bad request", e.getMessage()), viewer);
            } catch (Actions.Refused e) {
                page(ex, e.status, "Refused", Html.message("Refused", e.getMessage()), viewer);
            } catch (KeeperException.NoAuthException e) {
                page(ex, 403, "Not authorized", Html.message("Not authorized", "ZooKeeper refused this console's "
                        + "identity (NoAuth): it may read but not change this. Run the console with the identity of "
                        + "a role that may (submitters cancel, retry, schedule and drain)."), viewer);
            } catch (NoSuchTaskException e) {
                page(ex, 404, "Not found", Html.message("Not found", e.getMessage()), viewer);
            } catch (TaskRejectedException e) {
                page(ex, 409, "Refused", Html.message("Refused", e.getMessage()), viewer);
            } catch (ZooKeeperUnavailableException | KeeperException.ConnectionLossException
                     | KeeperException.SessionExpiredException | KeeperException.OperationTimeoutException e) {
                page(ex, 503, "ZooKeeper unavailable", Html.message("ZooKeeper unavailable",
                        "The cluster cannot be read now (" + e.getClass().getSimpleName() + "); the page retries."),
                        viewer);
            } catch (HaException | IllegalArgumentException e) {
                page(ex, 400, "Refused", Html.message("Refused", e.getMessage()), viewer);
            }
        } catch (IOException e) {
            // The client went away mid-response: nothing to answer to.
            LOG.debug("console {} {} aborted: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("console {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.toString());
            try {
                page(ex, 500, "Internal error", Html.message("Internal error", "The console could not answer ("
                        + e.getClass().getSimpleName() + "); see the log."), Viewer.READ_ONLY);
            } catch (IOException | RuntimeException ignored) {
                // Headers were already sent; the client sees a truncated response.
            }
        }
    }

    private void route(Request r, Viewer viewer) throws Exception {
        HttpExchange ex = r.exchange;
        String path = r.path;
        if (path.startsWith("/assets/")) {
            if (!readMethod(r)) {
                return;
            }
            Optional<Assets.Asset> asset = assets.get(path.substring("/assets/".length()));
            if (asset.isEmpty()) {
                page(ex, 404, "Not found", Html.message("Not found", "no such asset"), viewer);
            } else {
                ex.getResponseHeaders().set("Cache-Control", "public, max-age=3600");
                send(ex, 200, asset.get().contentType(), asset.get().bytes());
            }
            return;
        }
        if (path.equals("/signin") || path.equals("/signout") || path.startsWith("/action/")) {
            post(r, viewer);
            return;
        }
        if (!readMethod(r)) {
            return;
        }
        HaCluster c = cluster.get();
        if (c == null) {
            page(ex, 503, "Not connected", Html.message("Not connected", "This process is not connected to its "
                    + "cluster yet; the page retries."), viewer);
            return;
        }
        String notice = notice(r);
        if (path.equals("/") || path.isEmpty()) {
            Map<io.ha.core.task.TaskState, Long> n = counts.get(c.taskQueue());
            throughput.offer(n, System.currentTimeMillis());
            page(ex, 200, "Overview", notice + Html.live("/ui/", OverviewPage.render(c, n, throughput, events, viewer)),
                    "overview", viewer);
        } else if (path.equals("/tasks")) {
            page(ex, 200, "Tasks", notice + TaskPages.list(c, TaskPages.Filter.of(r)), "tasks", viewer);
        } else if (path.startsWith("/task/")) {
            String id = path.substring("/task/".length());
            Optional<String> body = TaskDetailPage.task(c, id, viewer);
            if (body.isEmpty()) {
                page(ex, 404, "No such task", Html.message("No such task", "No task has the id '" + id + "' (or it "
                        + "was pruned)."), viewer);
            } else {
                page(ex, 200, "Task " + id, notice + body.get(), "tasks", viewer);
            }
        } else if (path.startsWith("/group/")) {
            String id = path.substring("/group/".length());
            Optional<String> body = TaskDetailPage.group(c, id);
            if (body.isEmpty()) {
                page(ex, 404, "No such group", Html.message("No such group", "No group has the id '" + id + "'."),
                        viewer);
            } else {
                page(ex, 200, "Group " + id, body.get(), "tasks", viewer);
            }
        } else if (path.equals("/schedules")) {
            page(ex, 200, "Schedules", notice + SchedulesPage.schedules(c, viewer), "schedules", viewer);
        } else if (path.equals("/limits")) {
            page(ex, 200, "Limits", SchedulesPage.limits(c), "limits", viewer);
        } else {
            page(ex, 404, "Not found", Html.message("Not found", "The console has no page " + path + "."), viewer);
        }
    }

    /** Sign-in, sign-out and actions: POST only, from this origin, actions only with a session and its CSRF token. */
    private void post(Request r, Viewer viewer) throws Exception {
        HttpExchange ex = r.exchange;
        if (r.path.equals("/signin") && ("GET".equals(r.method()) || "HEAD".equals(r.method()))) {
            page(ex, 200, "Sign in", SignInPage.form(settings.actionsPossible(), null), "", viewer);
            return;
        }
        if (!"POST".equals(r.method())) {
            ex.getResponseHeaders().set("Allow", "POST");
            page(ex, 405, "Method not allowed", Html.message("Method not allowed", "use POST"), viewer);
            return;
        }
        if (!sameOrigin(ex)) {
            page(ex, 403, "Forbidden", Html.message("Forbidden", "cross-origin request refused"), viewer);
            return;
        }
        if (r.path.equals("/signin")) {
            if (!settings.actionsPossible() || !settings.signsIn(r.param("token"))) {
                LOG.warn("console sign-in from {} refused: {}", ex.getRemoteAddress().getAddress().getHostAddress(),
                        settings.actionsPossible() ? "wrong token" : "no token configured");
                page(ex, 403, "Sign in", SignInPage.form(settings.actionsPossible(), settings.actionsPossible()
                        ? "That token does not sign in here." : null), "", viewer);
                return;
            }
            sessions.close(viewer.session());
            Viewer signedIn = sessions.open();
            ex.getResponseHeaders().add("Set-Cookie", Request.COOKIE + "=" + signedIn.session()
                    + "; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=" + Sessions.LIFETIME.toSeconds());
            redirect(ex, "/ui/");
            return;
        }
        if (!viewer.signedIn()) {
            page(ex, 403, "Read-only", Html.message("Read-only", "This console is read-only until you sign in: "
                    + "actions are refused."), viewer);
            return;
        }
        if (!Sessions.csrfMatches(viewer, r.param("csrf"))) {
            page(ex, 403, "Forbidden", Html.message("Forbidden", "The CSRF token is missing or wrong: nothing was "
                    + "changed. Reload the page and try again."), viewer);
            return;
        }
        if (r.path.equals("/signout")) {
            sessions.close(viewer.session());
            ex.getResponseHeaders().add("Set-Cookie", Request.COOKIE + "=; Path=/ui; HttpOnly; SameSite=Strict; "
                    + "Max-Age=0");
            redirect(ex, "/ui/");
            return;
        }
        HaCluster c = cluster.get();
        if (c == null) {
            page(ex, 503, "Not connected", Html.message("Not connected", "not connected to the cluster yet"), viewer);
            return;
        }
        String action = r.path.substring("/action/".length());
        String location = Actions.run(c, action, r);
        LOG.info("console action {} by operator from {} done: {}", action,
                ex.getRemoteAddress().getAddress().getHostAddress(), location);
        redirect(ex, location);
    }

    /** An {@code Origin} (or, without one, a {@code Referer}) that is present must name the host asked for. */
    private static boolean sameOrigin(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin == null) {
            origin = ex.getRequestHeaders().getFirst("Referer");
        }
        if (origin == null) {
            return true; // Not a browser, or one that sends neither: the CSRF token still has to match.
        }
        try {
            URI u = URI.create(origin);
            return u.getRawAuthority() != null && u.getRawAuthority().equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String notice(Request r) {
        String text = Actions.NOTICES.get(String.valueOf(r.param("done")));
        return text == null ? "" : "<p class=\"notice\" id=\"notice\">" + Html.esc(text) + "</p>";
    }

    private boolean readMethod(Request r) throws IOException {
        if ("GET".equals(r.method()) || "HEAD".equals(r.method())) {
            return true;
        }
        r.exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        page(r.exchange, 405, "Method not allowed", Html.message("Method not allowed", "use GET"), Viewer.READ_ONLY);
        return false;
    }

    private static void headers(HttpExchange ex) {
        var h = ex.getResponseHeaders();
        h.set("Content-Security-Policy", CSP);
        h.set("X-Frame-Options", "DENY");
        h.set("X-Content-Type-Options", "nosniff");
        // Not no-referrer: under it a browser sends "Origin: null" with the console's own forms, and sameOrigin
        // refuses every sign-in and action. same-origin still sends nothing to other sites.
        h.set("Referrer-Policy", "same-origin");
        h.set("Cache-Control", "no-store");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
    }

    private static void page(HttpExchange ex, int code, String title, String body, Viewer viewer) throws IOException {
        page(ex, code, title, body, "", viewer);
    }

    private static void page(HttpExchange ex, int code, String title, String body, String active, Viewer viewer)
            throws IOException {
        send(ex, code, "text/html; charset=utf-8",
                Html.page(title, active, viewer, body).getBytes(StandardCharsets.UTF_8));
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(303, -1);
    }

    private static void send(HttpExchange ex, int code, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(code, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
