package io.ha.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.agent.testing.FakeTaskContext;
import io.ha.agent.testing.Processes;
import io.ha.core.task.NonRetryableTaskException;
import io.ha.core.task.TaskContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ExecHandlerTest {
    private final ExecHandler handler = new ExecHandler(Duration.ofMillis(500));

    @TempDir
    Path dir;

    private static TaskContext task(ExecPayload payload) {
        return task(payload.toJson());
    }

    private static TaskContext task(byte[] payload) {
        return FakeTaskContext.of("t-1", ExecPayload.TYPE, payload);
    }

    private static ExecPayload sh(String script, long timeoutMs) {
        return new ExecPayload(List.of("sh", "-c", script), Map.of(), null, timeoutMs);
    }

    @Test
    void successReturnsCombinedOutput() throws Exception {
        byte[] result = handler.handle(task(sh("echo out; echo err >&2", 0)));
        assertThat(new String(result, StandardCharsets.UTF_8)).isEqualTo("out\nerr\n");
    }

    @Test
    void nonZeroExitFailsNamingTheCodeWithTheOutputTail() {
        assertThatThrownBy(() -> handler.handle(task(sh("echo starting; echo broken >&2; exit 3", 0))))
                .isInstanceOf(ExecHandler.ExecFailedException.class)
                .hasMessageStartingWith("exit code 3")
                .hasMessageEndingWith("starting\nbroken\n");
    }

    @Test
    void longOutputKeepsOnlyTheLastFourKibibytes() throws Exception {
        // 10000 numbered lines: far more than 4 KiB; the end must survive in the result and in the error.
        String script = "i=0; while [ $i -lt 10000 ]; do echo line-$i; i=$((i+1)); done";
        byte[] result = handler.handle(task(sh(script, 0)));
        assertThat(result).hasSize(ExecHandler.TAIL_BYTES);
        assertThat(new String(result, StandardCharsets.UTF_8)).endsWith("line-9998\nline-9999\n");

        assertThatThrownBy(() -> handler.handle(task(sh(script + "; exit 7", 0))))
                .hasMessageStartingWith("exit code 7; last 4096 of ")
                .hasMessageEndingWith("line-9999\n")
                .satisfies(e -> assertThat(("ExecFailedException: " + e.getMessage()).length())
                        .isLessThanOrEqualTo(4096));
    }

    @Test
    void followUpReadsItsParentsResultOnStdinAndSeesTaskIdsInItsEnvironment() throws Exception {
        TaskContext ctx = FakeTaskContext.followUp("t-2", ExecPayload.TYPE,
                sh("cat; echo \"id=$HA_TASK_ID attempt=$HA_TASK_ATTEMPT parent=$HA_PARENT_ID\"", 0).toJson(),
                "step1\n".getBytes(StandardCharsets.UTF_8), "t-1", 2);
        assertThat(new String(handler.handle(ctx), StandardCharsets.UTF_8))
                .isEqualTo("step1\nid=t-2 attempt=2 parent=t-1\n");
    }

    @Test
    void taskWithoutParentHasEmptyStdinAndNoParentIdEvenWhenThePayloadSetsOne() throws Exception {
        ExecPayload p = new ExecPayload(List.of("sh", "-c", "wc -c; echo \"${HA_PARENT_ID-unset} $HA_TASK_ID\""),
                Map.of("HA_PARENT_ID", "forged", "HA_TASK_ID", "forged"), null, 0);
        assertThat(new String(handler.handle(task(p)), StandardCharsets.UTF_8).replace(" ", ""))
                .isEqualTo("0\nunsett-1\n");
    }

    @Test
    void largeInputIsStreamedWhileTheOutputIsPumped() throws Exception {
        // 4 MiB through cat: far more than both pipe buffers, so writing all input before reading any output (or
        // the reverse) would deadlock.
        byte[] input = new byte[4 * 1024 * 1024];
        java.util.Arrays.fill(input, (byte) 'x');
        input[input.length - 1] = '\n';
        TaskContext ctx = FakeTaskContext.followUp("t-2", ExecPayload.TYPE, sh("cat; echo end", 0).toJson(), input,
                "t-1", 1);
        byte[] result = handler.handle(ctx);
        assertThat(result).hasSize(ExecHandler.TAIL_BYTES);
        assertThat(new String(result, StandardCharsets.UTF_8)).endsWith("xxx\nend\n");
    }

    @Test
    void commandThatIgnoresItsLargeInputStillSucceeds() throws Exception {
        TaskContext ctx = FakeTaskContext.followUp("t-2", ExecPayload.TYPE, sh("echo ignored", 0).toJson(),
                new byte[1024 * 1024], "t-1", 1);
        assertThat(new String(handler.handle(ctx), StandardCharsets.UTF_8)).isEqualTo("ignored\n");
    }

    @Test
    void envAndCwdAreApplied() throws Exception {
        ExecPayload p = new ExecPayload(List.of("sh", "-c", "echo \"$GREETING\"; pwd"), Map.of("GREETING", "hi there"),
                dir.toString(), 0);
        String out = new String(handler.handle(task(p)), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("hi there\n" + dir.toRealPath() + "\n");
    }

    @Test
    void timeoutKillsTheWholeProcessTree() throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        ExecPayload p = sh("sleep 60 & echo $! > " + pidFile + "; echo started; wait", 1500);
        long start = System.nanoTime();
        assertThatThrownBy(() -> handler.handle(task(p)))
                .isInstanceOf(ExecHandler.ExecFailedException.class)
                .hasMessageContaining("timed out after 1500 ms")
                .hasMessageEndingWith("started\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        // Gone by the time the handler returns, not some time later.
        assertThat(Processes.gone(grandchild)).isTrue();
    }

    @Test
    void processIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        Path pidFile = dir.resolve("stubborn.pid");
        ExecPayload p = sh("trap '' TERM; sh -c 'trap \"\" TERM; sleep 60' & echo $! > " + pidFile + "; wait", 500);
        assertThatThrownBy(() -> handler.handle(task(p))).hasMessageContaining("timed out");
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        await().atMost(Duration.ofSeconds(5)).until(() -> Processes.gone(grandchild));
    }

    @Test
    void interruptOnCancelKillsTheTreeAndEndsTheHandler() throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        ExecPayload p = sh("sleep 60 & echo $! > " + pidFile + "; wait", 0);
        AtomicReference<Thread> runner = new AtomicReference<>();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            runner.set(Thread.currentThread());
            try {
                handler.handle(task(p));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile)
                && !Files.readString(pidFile).isBlank());
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(ProcessHandle.of(grandchild)).isPresent();

        runner.get().interrupt();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> Processes.gone(grandchild));
    }

    @Test
    void invalidPayloadFailsWithoutRetry() {
        assertThatThrownBy(() -> handler.handle(task("{\"command\":[]}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(NonRetryableTaskException.class).hasMessageContaining("invalid exec payload");
        assertThatThrownBy(() -> handler.handle(task("not json".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(NonRetryableTaskException.class);
    }

    @Test
    void missingProgramFailsNamingIt() {
        assertThatThrownBy(() -> handler.handle(task(new ExecPayload(List.of("/no/such/program"), Map.of(), null, 0))))
                .isInstanceOf(ExecHandler.ExecFailedException.class).hasMessageContaining("/no/such/program");
    }
}
