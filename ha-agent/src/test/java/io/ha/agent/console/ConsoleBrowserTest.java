package io.ha.agent.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.agent.AgentProcess;
import io.ha.agent.TestCredentials;
import io.ha.agent.exec.ExecPayload;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.ZkTestBase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.curator.test.TestingServer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;

/**
 * The console in a real browser (headless Chromium through Selenium) against three real agent processes on a real
 * ZooKeeper server: what an operator sees and does, and that the state really changed in ZooKeeper (read through
 * ha-core's queries, not the page). One server, one set of agents and one browser for the class; the test that
 * kills an agent runs last. Every page is written as a PNG to {@code target/console-screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(90)
class ConsoleBrowserTest {
    private static final String TOKEN = "browser-test-token-0123456789abcdef";
    private static final List<String> AGENTS = List.of("console-a", "console-b", "console-c");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private Browser browser;
    private WebDriver web;
    private TestingServer server;
    private Path dir;
    private final Map<String, AgentProcess> agents = new HashMap<>();
    private HaCluster observer;
    /** The browser's agent: console-a, which the kill test never kills. */
    private String base;

    @BeforeAll
    void start() throws Exception {
        browser = Browser.start();
        web = browser.driver();
        server = ZkTestBase.newServer(0, null);
        dir = Files.createTempDirectory("ha-console-browser");
        TestCredentials credentials = TestCredentials.in(dir);
        for (String id : AGENTS) {
            agents.put(id, AgentProcess.start(dir.resolve("work-" + id), Map.of(
                    "HA_ZK_CONNECT", server.getConnectString(),
                    "HA_CLUSTER_NAME", "test",
                    "HA_AGENT_ID", id,
                    "HA_SESSION_TIMEOUT", ZkTestBase.SESSION.toMillis() + "ms",
                    "HA_CONNECTION_TIMEOUT", ZkTestBase.CONNECTION.toMillis() + "ms",
                    "HA_LOG_DIR", dir.resolve("logs").toString(),
                    "HA_PLUGINS_DIR", dir.resolve("no-plugins").toString(),
                    "HA_ZK_AUTH_FILE", credentials.file().toString(),
                    "HA_HTTP_TOKEN", TOKEN,
                    "HA_EXEC_CONCURRENCY", "2")));
        }
        for (AgentProcess a : agents.values()) {
            a.awaitReady(Duration.ofSeconds(60));
        }
        observer = HaCluster.builder().role(ClusterRole.OBSERVER).connectString(server.getConnectString())
                .clusterName("test").agentId("observer").sessionTimeout(ZkTestBase.SESSION)
                .connectionTimeout(ZkTestBase.CONNECTION).credentials(credentials.credentials()).build();
        observer.start();
        base = "http://" + agents.get("console-a").http() + "/ui";
        waiting().until(() -> observer.membership().list().stream().filter(AgentInfo::accepting).count()
                == AGENTS.size() && observer.leaderElection().currentLeader().isPresent());
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (observer != null) {
            observer.close();
        }
        agents.values().forEach(AgentProcess::close);
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void overviewShowsThreeAgentsAndTheLeader() throws Exception {
        web.get(base + "/");
        String leader = observer.leaderElection().currentLeader().orElseThrow();
        // The page refreshes itself every two seconds: each read is retried over a swap in between.
        waiting().untilAsserted(() -> {
            assertThat(agentRows()).containsExactlyInAnyOrderElementsOf(AGENTS);
            assertThat(web.findElement(By.id("leader")).getText()).isEqualTo(leader);
            assertThat(web.findElement(By.cssSelector("tr.agent[data-agent='" + leader + "']")).getText())
                    .contains("leader");
            assertThat(web.findElement(By.id("cluster")).getText()).isEqualTo("test");
        });
        assertThat(web.findElement(By.id("readonly")).getText()).isEqualTo("read-only");
        browser.screenshot("overview");
    }

    @Test
    @Order(2)
    void aSubmittedTaskAppearsAndSucceedsWithoutAReload() throws Exception {
        web.get(base + "/tasks?type=exec");
        markPage();
        String id = observer.taskQueue().submit(exec("sleep 2; echo hello-console", 0));
        waiting().untilAsserted(() -> assertThat(taskRows()).containsKey(id));
        waiting().untilAsserted(() -> assertThat(taskRows().get(id)).startsWith("SUCCEEDED "));
        assertThat(pageStillMarked()).as("the list refreshed itself, the page was not reloaded").isTrue();
        assertThat(observer.taskQueue().get(id).orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
        browser.screenshot("tasks");

        web.get(base + "/tasks?type=exec");
        web.findElement(By.cssSelector("tr.task[data-id='" + id + "'] a")).click();
        waiting().untilAsserted(() -> assertThat(web.findElement(By.id("task-id")).getText())
                .isEqualTo(id));
        waiting().untilAsserted(() -> {
            assertThat(web.findElement(By.id("state")).getText()).isEqualTo("SUCCEEDED");
            assertThat(web.findElement(By.id("result")).getText()).contains("hello-console");
            assertThat(web.findElement(By.id("history")).getText()).contains("RUNNING").contains("SUCCEEDED");
        });
        browser.screenshot("task-detail");
    }

    @Test
    @Order(3)
    void withoutSigningInEveryActionIsRefusedByThePageAndTheServer() throws Exception {
        String id = observer.taskQueue().submit(TaskSpec.builder("exec").delay(Duration.ofHours(1))
                .payload(new ExecPayload(List.of("true"), Map.of(), null, 0).toJson()).build());
        schedule("nightly");

        web.manage().deleteAllCookies();
        web.get(base + "/schedules");
        waiting().untilAsserted(() -> assertThat(web.findElements(By.id("pause-nightly"))).hasSize(1));
        assertThat(web.findElement(By.id("readonly")).getText()).isEqualTo("read-only");
        waiting().untilAsserted(() -> {
            for (String button : List.of("pause-nightly", "trigger-nightly")) {
                assertThat(web.findElement(By.id(button)).isEnabled()).as(button).isFalse();
            }
        });
        browser.screenshot("schedules");
        web.get(base + "/task/" + id);
        waiting().untilAsserted(() -> assertThat(web.findElement(By.id("cancel")).isEnabled()).isFalse());
        web.get(base + "/");
        waiting().untilAsserted(() -> assertThat(web.findElements(By.cssSelector("button[id^='drain-']")))
                .hasSize(3).allSatisfy(b -> assertThat(b.isEnabled()).isFalse()));

        for (String[] action : new String[][] {{"cancel", "id=" + id}, {"retry", "id=" + id},
                {"drain", "agent=console-b"}, {"pause", "name=nightly"}, {"resume", "name=nightly"},
                {"trigger", "name=nightly"}}) {
            HttpResponse<String> r = post("/action/" + action[0], action[1] + "&csrf=guessed", null);
            assertThat(r.statusCode()).as(action[0]).isEqualTo(403);
            assertThat(r.body()).as(action[0]).contains("read-only");
        }
        assertThat(observer.taskQueue().get(id).orElseThrow().state()).isEqualTo(TaskState.PENDING);
        assertThat(observer.schedules().get("nightly").orElseThrow().record().enabled()).isTrue();
        assertThat(observer.membership().get("console-b").orElseThrow().accepting()).isTrue();
    }

    @Test
    @Order(4)
    void aSignedInOperatorCancelsATaskAndPausesASchedule() throws Exception {
        String id = observer.taskQueue().submit(TaskSpec.builder("exec").delay(Duration.ofHours(1))
                .payload(new ExecPayload(List.of("true"), Map.of(), null, 0).toJson()).build());
        schedule("hourly");
        signIn();
        try {
            web.get(base + "/task/" + id);
            waiting().untilAsserted(() -> assertThat(web.findElement(By.id("state")).getText()).isEqualTo("PENDING"));
            waiting().until(() -> {
                web.findElement(By.id("cancel")).click();
                return true;
            });
            waiting().untilAsserted(() -> assertThat(web.findElement(By.id("notice")).getText())
                    .isEqualTo("Task cancelled."));
            waiting().untilAsserted(() -> assertThat(web.findElement(By.id("state")).getText())
                    .isEqualTo("CANCELLED"));
            assertThat(observer.taskQueue().get(id).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);

            web.get(base + "/schedules");
            waiting().until(() -> {
                web.findElement(By.id("pause-hourly")).click();
                return true;
            });
            waiting().untilAsserted(() -> assertThat(web.findElement(By.id("notice")).getText())
                    .isEqualTo("Schedule paused."));
            waiting().untilAsserted(() -> {
                assertThat(web.findElement(By.cssSelector("tr.schedule[data-name='hourly']"))
                        .getAttribute("data-state")).isEqualTo("paused");
                assertThat(web.findElements(By.id("resume-hourly"))).hasSize(1);
            });
            assertThat(observer.schedules().get("hourly").orElseThrow().record().enabled()).isFalse();
            assertThat(observer.schedules().get("nightly").orElseThrow().record().enabled())
                    .as("only the schedule named was paused").isTrue();
            browser.screenshot("schedules-signed-in");
        } finally {
            web.manage().deleteAllCookies();
        }
    }

    @Test
    @Order(5)
    void badInputGetsAClearPageOrStatusAndChangesNothing() throws Exception {
        web.get(base + "/task/0190000000a-00000000abcd");
        assertThat(web.findElement(By.id("heading")).getText()).isEqualTo("No such task");
        assertNoStackTrace(web.getPageSource());
        web.get(base + "/tasks?state=BOGUS");
        assertThat(web.findElement(By.id("heading")).getText()).isEqualTo("Bad request");
        assertThat(web.findElement(By.id("message")).getText()).contains("parameter 'state'").contains("PENDING");
        assertNoStackTrace(web.getPageSource());
        web.get(base + "/tasks?size=100000000");
        assertThat(web.findElement(By.id("message")).getText()).contains("parameter 'size'")
                .contains("at most " + TaskPages.MAX_SIZE);
        browser.screenshot("bad-request");

        assertThat(get("/task/0190000000a-00000000abcd").statusCode()).isEqualTo(404);
        assertThat(get("/tasks?state=BOGUS").statusCode()).isEqualTo(400);
        assertThat(get("/tasks?size=100000000").statusCode()).isEqualTo(400);
        assertThat(get("/tasks?after=%3Cscript%3E").statusCode()).isEqualTo(400);

        String id = observer.taskQueue().submit(TaskSpec.builder("exec").delay(Duration.ofHours(1))
                .payload(new ExecPayload(List.of("true"), Map.of(), null, 0).toJson()).build());
        String cookie = signInOverHttp();
        HttpResponse<String> forged = post("/action/cancel", "id=" + id, cookie);
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("CSRF");
        assertNoStackTrace(forged.body());
        assertThat(post("/action/cancel", "id=" + id + "&csrf=forged", cookie).statusCode()).isEqualTo(403);
        String csrf = csrfOf(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).header("Cookie", cookie)
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        HttpResponse<String> unknownTask = post("/action/cancel", "id=0190000000a-00000000abcd&csrf=" + csrf, cookie);
        assertThat(unknownTask.statusCode()).isEqualTo(404);
        assertThat(unknownTask.body()).contains("no task with id");
        assertNoStackTrace(unknownTask.body());
        HttpResponse<String> noSchedule = post("/action/pause", "name=%3Cx%3E&csrf=" + csrf, cookie);
        assertThat(noSchedule.statusCode()).isEqualTo(404);
        assertThat(noSchedule.body()).contains("no schedule named").doesNotContain("<x>");
        assertThat(observer.taskQueue().get(id).orElseThrow().state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    @Order(6)
    void aKilledAgentsTasksAreSeenMovingToAnotherAgent() throws Exception {
        TaskQueue queue = observer.taskQueue();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(queue.submit(exec("sleep 6; echo moved-" + i, 0)));
        }
        waiting().until(() -> ids.stream().allMatch(id -> stateOf(queue, id) == TaskState.RUNNING));
        // The victim is an agent running some of them, never the one the browser reads from.
        String victim = ids.stream().map(id -> agentOf(queue, id)).filter(a -> !"console-a".equals(a)).findFirst()
                .orElseThrow();
        Set<String> victimTasks = ids.stream().filter(id -> victim.equals(agentOf(queue, id)))
                .collect(Collectors.toSet());
        web.get(base + "/tasks?type=exec");
        waiting().untilAsserted(() -> assertThat(taskRows()).containsAllEntriesOf(victimTasks.stream()
                .collect(Collectors.toMap(id -> id, id -> "RUNNING " + victim))));
        markPage();

        AgentProcess killed = agents.get(victim);
        killed.kill();
        assertThat(killed.awaitExit(Duration.ofSeconds(30))).isEqualTo(137);

        // The open list refreshes itself: each moved task's row shows another agent (back to pending first).
        waiting().untilAsserted(() -> {
            Map<String, String> rows = taskRows();
            for (String id : victimTasks) {
                assertThat(rows.get(id)).as(id).doesNotEndWith(" " + victim).doesNotEndWith(" ");
            }
        });
        assertThat(pageStillMarked()).as("the list refreshed itself, the page was not reloaded").isTrue();
        browser.screenshot("tasks-reassigned");
        for (String id : victimTasks) {
            TaskRecord r = queue.await(id, WAIT);
            assertThat(r.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(r.agent()).isNotEqualTo(victim);
            assertThat(r.attempt()).isEqualTo(2);
        }
        // The cluster's events on a non-leader's overview: the leader's election and its taking back the victim's
        // tasks, which only the leader records (read from the leader's /status, not from the reader's timeline).
        waiting().untilAsserted(() -> {
            String lead = observer.leaderElection().currentLeader().orElseThrow();
            assertThat(lead).isNotEqualTo(victim);
            String reader = AGENTS.stream().filter(a -> !a.equals(victim) && !a.equals(lead)).findFirst()
                    .orElseThrow();
            String page = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + agents.get(reader).http() + "/ui/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(page).contains("<tr class=\"event\" data-kind=\"ELECTED\" data-agents=\"" + lead + "\">");
            assertThat(page).containsPattern("<tr class=\"event\" data-kind=\"REASSIGNED\" data-agents=\"" + lead
                    + "\"><td>[^<]*</td><td>[^<]*</td><td>reassigned</td><td>\\d+ tasks? of agent " + victim
                    + " reassigned");
        });
        web.get(base + "/");
        waiting().untilAsserted(() -> assertThat(agentRows()).hasSize(2).doesNotContain(victim));
        waiting().untilAsserted(() -> assertThat(web.findElement(By.id("events")).getText()).contains("left"));
        browser.screenshot("overview-after-kill");
    }

    private ConditionFactory waiting() {
        return await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class);
    }

    /** The agents' rows of the overview, read in one script (the live part may be swapped between two reads). */
    @SuppressWarnings("unchecked")
    private List<String> agentRows() {
        return (List<String>) ((JavascriptExecutor) web).executeScript("return Array.from("
                + "document.querySelectorAll('tr.agent')).map(r => r.dataset.agent);");
    }

    /**
     * The task list's rows as id to "STATE agent", read in one script. A task moving between states can be listed
     * twice in one render (the page reads the states one after the other): both rows are kept, joined by " | ", so
     * such a read matches no single expected row and the wait goes on (it threw before, ending the wait).
     */
    @SuppressWarnings("unchecked")
    private Map<String, String> taskRows() {
        List<List<String>> rows = (List<List<String>>) ((JavascriptExecutor) web).executeScript("return Array.from("
                + "document.querySelectorAll('tr.task')).map(r => [r.dataset.id, r.dataset.state + ' ' "
                + "+ r.dataset.agent]);");
        return rows.stream().collect(Collectors.toMap(r -> r.get(0), r -> r.get(1), (a, b) -> a + " | " + b));
    }

    /** A mark in the page's window object: it is gone if the page is ever loaded again. */
    private void markPage() {
        ((JavascriptExecutor) web).executeScript("window.haConsoleTestMark = 'still here';");
    }

    private boolean pageStillMarked() {
        return "still here".equals(((JavascriptExecutor) web).executeScript("return window.haConsoleTestMark;"));
    }

    private void signIn() {
        web.get(base + "/signin");
        web.findElement(By.id("token")).sendKeys(TOKEN);
        web.findElement(By.id("signin-go")).click();
        waiting().untilAsserted(() -> assertThat(web.findElement(By.id("who")).getText())
                .contains("signed in as operator"));
    }

    private String signInOverHttp() throws Exception {
        HttpResponse<String> r = post("/signin", "token=" + TOKEN, null);
        assertThat(r.statusCode()).isEqualTo(303);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private void schedule(String name) throws Exception {
        observer.schedules().create(name, Trigger.every(Duration.ofHours(1)),
                TaskSpec.builder("exec").payload(new ExecPayload(List.of("true"), Map.of(), null, 0).toJson()).build(),
                Schedules.Options.defaults());
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertNoStackTrace(r.body());
        return r;
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

    private static String csrfOf(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"")
                .matcher(html);
        assertThat(m.find()).as("a CSRF token in the page").isTrue();
        return m.group(1);
    }

    private static void assertNoStackTrace(String body) {
        assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at io.ha.");
    }

    private static TaskSpec exec(String script, long timeoutMs) {
        return TaskSpec.builder(ExecPayload.TYPE)
                .payload(new ExecPayload(List.of("sh", "-c", script), Map.of(), null, timeoutMs).toJson())
                .maxAttempts(3).build();
    }

    private static TaskState stateOf(TaskQueue queue, String id) {
        try {
            return queue.get(id).map(TaskRecord::state).orElse(null);
        } catch (Exception e) {
            return null;
        }
    }

    private static String agentOf(TaskQueue queue, String id) {
        try {
            return queue.get(id).map(TaskRecord::agent).orElse(null);
        } catch (Exception e) {
            return null;
        }
    }
}
