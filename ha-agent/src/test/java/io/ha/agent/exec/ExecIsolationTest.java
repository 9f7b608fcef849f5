package io.ha.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.ha.agent.testing.FakeTaskContext;
import io.ha.agent.testing.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What an exec child gets: an allowlisted environment, a private working directory, a process group that dies. */
@Timeout(60)
class ExecIsolationTest {
    @TempDir
    Path dir;

    private ExecHandler handler() {
        return new ExecHandler(Duration.ofMillis(500), dir.resolve("work"), List.of());
    }

    private static ExecPayload sh(String script, long timeoutMs) {
        return new ExecPayload(List.of("sh", "-c", script), Map.of(), null, timeoutMs);
    }

    private static String run(ExecHandler handler, ExecPayload p) throws Exception {
        return new String(handler.handle(FakeTaskContext.of("t-1", ExecPayload.TYPE, p.toJson())),
                StandardCharsets.UTF_8);
    }

    @Test
    void childSeesOnlyTheAllowlistItsOwnVariablesAndTheTasks() throws Exception {
        // Any variable of this JVM's (the agent's) environment outside the allowlist stands for a secret.
        String secret = System.getenv().keySet().stream().filter(n -> !ChildEnvironment.INHERITED.contains(n))
                .findFirst().orElse(null);
        assumeThat(secret).isNotNull();
        String out = run(handler(), new ExecPayload(List.of("env"), Map.of("GREETING", "hi"), null, 0));
        Map<String, String> env = new HashMap<>();
        for (String line : out.split("\n")) {
            env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        assertThat(env).doesNotContainKey(secret).containsEntry("GREETING", "hi").containsEntry("HA_TASK_ID", "t-1")
                .containsEntry("PATH", System.getenv("PATH"));
        if (System.getenv("HOME") != null) {
            assertThat(env).containsEntry("HOME", System.getenv("HOME"));
        }
        assertThat(env.keySet()).isSubsetOf(Set.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "GREETING", "HA_TASK_ID",
                "HA_TASK_ATTEMPT"));
    }

    @Test
    void defaultCwdIsAFreshOwnerOnlyDirectoryPerAttemptRemovedAfterwards() throws Exception {
        ExecHandler handler = handler();
        String script = "pwd; stat -c %a .; ls | wc -l; touch left-behind";
        String[] first = run(handler, sh(script, 0)).split("\n");
        String[] second = run(handler, sh(script, 0)).split("\n");
        assertThat(first[0]).startsWith(dir.resolve("work").toRealPath().toString()).isNotEqualTo(second[0]);
        assertThat(first[1]).isEqualTo("700");
        assertThat(second[2].trim()).isEqualTo("0");
        assertThat(Path.of(first[0])).doesNotExist();
        assertThat(Path.of(second[0])).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("work"))))
                .isEqualTo("rwx------");
    }

    @Test
    void failedAttemptsDirectoryIsRemovedToo() throws Exception {
        Path cwdFile = dir.resolve("cwd");
        assertThatThrownBy(() -> run(handler(), sh("pwd > " + cwdFile + "; mkdir -p a/b; chmod 000 a; exit 4", 0)))
                .hasMessageStartingWith("exit code 4");
        assertThat(Path.of(Files.readString(cwdFile).trim())).doesNotExist();
    }

    @Test
    void rootWritableByOthersIsRefusedNamingIt() throws Exception {
        Path root = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        ExecHandler handler = new ExecHandler(Duration.ofMillis(500), root, List.of());
        assertThatThrownBy(() -> run(handler, sh("echo never", 0)))
                .isInstanceOf(ExecHandler.ExecFailedException.class)
                .hasMessageContaining(root.toString()).hasMessageContaining("writable by other accounts");
    }

    @Test
    void payloadCwdStillApplies() throws Exception {
        assertThat(run(handler(), new ExecPayload(List.of("pwd"), Map.of(), dir.toString(), 0)))
                .isEqualTo(dir.toRealPath() + "\n");
    }

    @Test
    void backgroundChildDiesWhenTheCommandExits() throws Exception {
        long pid = Long.parseLong(run(handler(), sh("sleep 300 > /dev/null 2>&1 & echo $!", 0)).trim());
        await().atMost(Duration.ofSeconds(5)).until(() -> Processes.gone(pid));
    }

    @Test
    void doubleForkedChildDiesOnTimeout() throws Exception {
        Path pidFile = dir.resolve("orphan.pid");
        // The subshell exits at once: its sleep is re-parented to init, out of the process tree.
        assertThatThrownBy(() -> run(handler(), sh("(sleep 300 > /dev/null 2>&1 & echo $! > " + pidFile
                + "); sleep 60", 1000))).hasMessageContaining("timed out");
        long orphan = Long.parseLong(Files.readString(pidFile).trim());
        await().atMost(Duration.ofSeconds(5)).until(() -> Processes.gone(orphan));
    }

    @Test
    void doubleForkedChildDiesOnCancel() throws Exception {
        Path pidFile = dir.resolve("orphan.pid");
        ExecPayload p = sh("(sleep 300 > /dev/null 2>&1 & echo $! > " + pidFile + "); sleep 60", 0);
        ExecHandler handler = handler();
        AtomicReference<Thread> runner = new AtomicReference<>();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            runner.set(Thread.currentThread());
            try {
                run(handler, p);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile)
                && !Files.readString(pidFile).isBlank());
        long orphan = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(Processes.gone(orphan)).isFalse();

        runner.get().interrupt();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> Processes.gone(orphan));
    }
}
