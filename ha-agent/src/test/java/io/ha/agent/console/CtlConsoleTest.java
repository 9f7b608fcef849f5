package io.ha.agent.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskSpec;
import io.ha.core.testing.ZkTestBase;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/ha-ctl console} as a real process against this test's server: it prints its URL, serves the console,
 * is read-only without a token (the server refuses actions, not only the page), signs in with
 * {@code HA_CONSOLE_TOKEN}, and stops on Ctrl-C (SIGINT). Skipped, as {@code CtlScriptTest} is, when the build has
 * not made {@code ha-agent/target/lib}.
 */
@Timeout(90)
class CtlConsoleTest extends ZkTestBase {
    private static final String TOKEN = "ctl-console-token-0123456789abcdef";
    private static final Pattern URL = Pattern.compile("(http://\\S+/ui/)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(p -> p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly));
        processes.forEach(Process::destroyForcibly);
    }

    private static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin/ha-ctl"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    /** A running {@code ha-ctl console}: its process, the URL it printed, and its stderr file. */
    private record Console(Process process, String url, File err) {
    }

    private Console start(Map<String, String> env, String... args) throws Exception {
        Path root = repoRoot();
        assumeTrue(root != null && Files.isDirectory(root.resolve("ha-agent/target/lib"))
                        && Files.isRegularFile(root.resolve("ha-agent/target/classes/io/ha/agent/cli/CtlMain.class")),
                "skipped: ha-agent/target/lib is missing; build first with 'mvn -B -DskipTests install'");
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/ha-ctl").toString(), "console",
                "--zk", server.getConnectString(), "--cluster", "test"));
        command.addAll(List.of(args));
        File err = File.createTempFile("ha-ctl-console-err", ".txt");
        err.deleteOnExit();
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(err);
        pb.environment().keySet().removeIf(k -> k.startsWith("HA_"));
        pb.environment().put("HA_CTL_SKIP_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        p.getOutputStream().close();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("Ctrl-C")) {
                break;
            }
        }
        Matcher m = URL.matcher(seen);
        assertThat(m.find()).as("a URL on stdout; stdout:%n%s%nstderr:%n%s", seen, Files.readString(err.toPath()))
                .isTrue();
        assertThat(m.group(1)).startsWith("http://127.0.0.1:");
        return new Console(p, m.group(1), err);
    }

    private static HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String form, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HaCluster clusterWithSchedule() throws Exception {
        HaCluster a = member("agent-a");
        a.schedules().create("nightly", Trigger.every(Duration.ofHours(1)), TaskSpec.builder("work").build(),
                Schedules.Options.defaults());
        return a;
    }

    /**
     * Ctrl-C: SIGINT to the console's JVM (bin/ha-ctl execs java, so the launcher's pid is the JVM's). A JVM that
     * inherits SIGINT ignored (started in the background of a non-interactive shell) never sees it, and so would a
     * console started from this one: then SIGTERM, which runs the same shutdown hook.
     */
    private static int interrupt(Console c) throws Exception {
        String signal = sigintIgnoredHere() ? "-TERM" : "-INT";
        new ProcessBuilder("kill", signal, Long.toString(c.process().pid())).inheritIO().start().waitFor();
        assertThat(c.process().waitFor(30, TimeUnit.SECONDS)).as("ha-ctl console ended on SIGINT").isTrue();
        return c.process().exitValue();
    }

    private static boolean sigintIgnoredHere() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    @Test
    void withoutATokenItServesTheConsoleReadOnlyAndTheServerRefusesActions() throws Exception {
        HaCluster a = clusterWithSchedule();
        Console c = start(Map.of());

        HttpResponse<String> overview = get(c.url(), null);
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("agent-a").contains("read-only");
        // The same cluster events as an agent's console: agent-a is a member without HTTP (nothing to read there).
        assertThat(overview.body()).containsPattern("id=\"events-no-endpoint\">[^<]*<span data-agent=\"agent-a\">")
                .contains("<tr class=\"event\" data-kind=\"CONNECTED\"");
        assertThat(get(c.url() + "schedules", null).body()).contains("nightly");

        HttpResponse<String> signIn = post(c.url() + "signin", "token=" + TOKEN, null);
        assertThat(signIn.statusCode()).isEqualTo(403);
        assertThat(get(c.url() + "signin", null).body()).contains("No sign-in token is configured");
        HttpResponse<String> pause = post(c.url() + "action/pause", "name=nightly&csrf=guessed", null);
        assertThat(pause.statusCode()).isEqualTo(403);
        assertThat(pause.body()).contains("read-only");
        assertThat(a.schedules().get("nightly").orElseThrow().record().enabled()).isTrue();

        interrupt(c);
        assertThat(Files.readString(c.err().toPath())).contains("console stopped");
        assertThatThrownBy(() -> get(c.url(), null)).as("nothing serves the port any more")
                .isInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void withATokenAnOperatorSignsInAndActs() throws Exception {
        HaCluster a = clusterWithSchedule();
        Console c = start(Map.of("HA_CONSOLE_TOKEN", TOKEN));
        assertThat(post(c.url() + "signin", "token=wrong-token-0123456789", null).statusCode()).isEqualTo(403);
        HttpResponse<String> signIn = post(c.url() + "signin", "token=" + TOKEN, null);
        assertThat(signIn.statusCode()).isEqualTo(303);
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"")
                .matcher(get(c.url() + "schedules", cookie).body());
        assertThat(csrf.find()).isTrue();

        HttpResponse<String> pause = post(c.url() + "action/pause", "name=nightly&csrf=" + csrf.group(1), cookie);
        assertThat(pause.statusCode()).isEqualTo(303);
        assertThat(a.schedules().get("nightly").orElseThrow().record().enabled()).isFalse();
        interrupt(c);
    }

    @Test
    void aBadTokenIsAUsageErrorThatDoesNotShowIt() throws Exception {
        Path root = repoRoot();
        assumeTrue(root != null && Files.isDirectory(root.resolve("ha-agent/target/lib")), "skipped: not built");
        member("agent-a");
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/ha-ctl").toString(), "console", "--zk",
                server.getConnectString(), "--cluster", "test").redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("HA_"));
        pb.environment().put("HA_CTL_SKIP_BUILD", "1");
        pb.environment().put("HA_CONSOLE_TOKEN", "short secret");
        Process p = pb.start();
        processes.add(p);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("HA_CONSOLE_TOKEN").contains("at least 16").doesNotContain("short secret");
    }
}
