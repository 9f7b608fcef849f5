package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.agent.exec.ExecPayload;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.NonRetryableTaskException;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** submit, task, tasks, cancel and wait, human and --json, with their exit codes. */
class CtlTaskCommandsTest extends CtlTestBase {
    private static final String ID = "[0-9a-f]{11}-[0-9a-f]{8,}";

    private HaCluster client() throws Exception {
        return member("reader", b -> b.role(io.ha.core.cluster.ClusterRole.OBSERVER));
    }

    private String submit(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "submit";
        System.arraycopy(args, 0, all, 1, args.length);
        Result r = ctl(all).exits(0);
        assertThat(r.out()).matches(ID + "\n");
        return r.out().trim();
    }

    @Test
    void submitWithTheSameKeyTwiceReturnsTheSameId() throws Exception {
        member("agent-a");
        String first = submit("--type", "report", "--payload", "x", "--key", "nightly-2025-06-01");
        String second = submit("--type", "report", "--payload", "x", "--key", "nightly-2025-06-01");
        assertThat(second).isEqualTo(first);

        JsonNode json = ctl("submit", "--type", "report", "--key", "nightly-2025-06-01", "--json").exits(0).json();
        assertThat(json.get("id").asText()).isEqualTo(first);
        assertThat(json.get("idempotencyKey").asText()).isEqualTo("nightly-2025-06-01");
        assertThat(ctl("tasks", "--json").exits(0).json()).hasSize(1);
    }

    @Test
    void submitOverThePayloadLimitExitsOneNamingSizeAndLimit(@TempDir Path dir) throws Exception {
        member("agent-a");
        Path big = dir.resolve("big.bin");
        Files.write(big, new byte[300 * 1024]);
        Result r = ctl("submit", "--type", "blob", "--payload-file", big.toString()).exits(1);
        assertThat(r.err()).isEqualTo("ha-ctl: payload of task of type 'blob' is 307200 bytes, over the limit of "
                + "262144 bytes\n");
        assertThat(r.out()).isEmpty();

        // Far beyond what is worth holding in memory: still counted exactly.
        Result huge = ctlWithStdin(new byte[2 * 1024 * 1024], "submit", "--type", "blob", "-").exits(1);
        assertThat(huge.err()).contains("is 2097152 bytes, over the limit of 262144 bytes");
        assertThat(ctl("tasks", "--json").exits(0).json()).isEmpty();
    }

    @Test
    void submitReadsThePayloadFromStdinAFileOrTheCommandLine(@TempDir Path dir) throws Exception {
        member("agent-a");
        String fromStdin = ctlWithStdin("{\"from\":\"stdin\"}".getBytes(StandardCharsets.UTF_8),
                "submit", "--type", "t", "-").exits(0).out().trim();
        Path file = dir.resolve("p.json");
        Files.writeString(file, "from file");
        String fromFile = submit("--type", "t", "--payload-file", file.toString(), "--priority", "7",
                "--max-attempts", "5", "--delay", "1h", "--label", "gpu");

        assertThat(ctl("task", fromStdin, "--json").exits(0).json().get("payload").get("text").asText())
                .isEqualTo("{\"from\":\"stdin\"}");
        JsonNode t = ctl("task", fromFile, "--json").exits(0).json();
        assertThat(t.get("payload").get("text").asText()).isEqualTo("from file");
        assertThat(t.get("priority").asInt()).isEqualTo(7);
        assertThat(t.get("maxAttempts").asInt()).isEqualTo(5);
        assertThat(t.get("labels").get(0).asText()).isEqualTo("gpu");
        assertThat(t.get("notBefore").asText()).matches("\\d{4}-.*Z");

        assertThat(ctl("submit", "--type", "t", "--payload", "a", "-").exits(2).err())
                .isEqualTo("ha-ctl: give at most one of --payload, --payload-file and '-'\n");
        assertThat(ctl("submit", "--type", "t", "--", "echo", "hi").exits(2).err())
                .contains("only --type exec takes a command");
        assertThat(ctl("submit", "--type", "t", "--env", "A=B").exits(2).err())
                .contains("--env, --env-secret and --cwd apply only to --type exec");
        assertThat(ctl("submit", "--type", "t", "--max-attempts", "0").exits(2).err())
                .contains("task maxAttempts must be in 1-1000, got 0");
        assertThat(ctl("submit", "--type", "t", "--delay", "soon").exits(2).err()).contains("invalid duration 'soon'");
        assertThat(ctl("submit", "--payload", "x").exits(2).err()).contains("Missing required option: '--type=TYPE'");
    }

    @Test
    void execSubmitBuildsTheExecPayload() throws Exception {
        member("agent-a");
        String id = submit("--type", "exec", "--timeout", "30s", "--env", "LANG=C", "--env", "MODE=fast",
                "--cwd", "/tmp", "--", "sh", "-c", "echo hello; ls -l");
        JsonNode t = ctl("task", id, "--json").exits(0).json();
        assertThat(t.get("type").asText()).isEqualTo("exec");
        byte[] payload = t.get("payload").get("text").asText().getBytes(StandardCharsets.UTF_8);
        ExecPayload p = ExecPayload.fromJson(id, payload);
        // --timeout is the task's timeout (the handler is interrupted and kills the tree), not the payload's.
        ExecPayload stored = new ExecPayload(List.of("sh", "-c", "echo hello; ls -l"),
                Map.of("LANG", "C", "MODE", "fast"), "/tmp", 0);
        // The view masks the values, the record holds them.
        assertThat(p).isEqualTo(new ExecPayload(stored.command(), Map.of("LANG", "***", "MODE", "***"), "/tmp", 0));
        assertThat(ExecPayload.fromJson(id, client().taskQueue().get(id).orElseThrow().payload())).isEqualTo(stored);
        assertThat(client().taskQueue().get(id).orElseThrow().timeoutMs()).isEqualTo(30_000);

        assertThat(ctl("submit", "--type", "exec").exits(2).err()).contains("--type exec needs a command");
        assertThat(ctl("submit", "--type", "exec", "--payload", "{}").exits(2).err())
                .contains("payload is not a valid exec payload");
    }

    @Test
    void taskShowsStateAttemptsAgentTimesResultAndHistory() throws Exception {
        echoMember("agent-a");
        String id = submit("--type", "echo", "--payload", "hello", "--key", "k1");
        assertThat(ctl("wait", id, "--timeout", "20s").exits(0).out())
                .matches("task " + id + " SUCCEEDED \\(attempt 1/3, agent agent-a, took [0-9.]+m?s\\)\n");

        Result human = ctl("task", id).exits(0);
        assertThat(human.out())
                .contains("ID:         " + id + "\n")
                .contains("Type:       echo\n")
                .contains("State:      SUCCEEDED\n")
                .contains("Attempt:    1/3\n")
                .containsPattern("Agent: +agent-a \\(leader epoch \\d+\\)")
                .contains("Key:        k1\n")
                .containsPattern("Created: +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\(.* ago\\)")
                .containsPattern("Ended: +\\d{4}-.* \\(took .*\\)")
                .contains("Last error: -\n")
                .contains("Payload:    5 bytes\n  hello\n")
                .contains("Result:     10 bytes\n  echo:hello\n")
                .containsPattern("(?m)^  TIME +STATE +ATTEMPT +AGENT +DETAIL$")
                .containsPattern("(?m)^  \\d{4}-.* +PENDING +1 +- +submitted$")
                .containsPattern("(?m)^  \\d{4}-.* +SUCCEEDED +1 +agent-a +-$");

        JsonNode json = ctl("task", id, "--json").exits(0).json();
        assertThat(json.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(json.get("attempt").asInt()).isEqualTo(1);
        assertThat(json.get("agent").asText()).isEqualTo("agent-a");
        assertThat(json.get("result").get("text").asText()).isEqualTo("echo:hello");
        assertThat(json.get("result").get("bytes").asInt()).isEqualTo(10);
        assertThat(json.get("result").get("base64").isNull()).isTrue();
        assertThat(json.get("lastError").isNull()).isTrue();
        assertThat(json.get("startedAt").asText()).endsWith("Z");
        assertThat(json.get("endedAt").asText()).endsWith("Z");
        assertThat(json.get("history").get(0).get("state").asText()).isEqualTo("PENDING");
        assertThat(json.get("history").get(json.get("history").size() - 1).get("state").asText())
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void binaryResultsAreShownBySizeAndAsBase64() throws Exception {
        HaCluster a = member("agent-a");
        a.worker().register("bin", ctx -> new byte[] {0, 1, 2, (byte) 0xff, 27}, 1);
        String id = submit("--type", "bin");
        ctl("wait", id).exits(0);
        assertThat(ctl("task", id).exits(0).out())
                .contains("Result:     5 bytes (binary; --json shows them as base64)");
        assertThat(ctl("task", id, "--json").exits(0).json().get("result").get("base64").asText())
                .isEqualTo("AAEC/xs=");
    }

    @Test
    void unknownTaskExitsOne() throws Exception {
        member("agent-a");
        Result r = ctl("task", "0190aabbccd-00112233").exits(1);
        assertThat(r.err()).isEqualTo("ha-ctl: no task with id '0190aabbccd-00112233' in cluster 'test' at "
                + server.getConnectString() + "\n");
        assertThat(r.out()).isEmpty();
        assertThat(ctl("task", "UNKNOWN", "--json").exits(1).err()).startsWith("ha-ctl: no task with id 'UNKNOWN'");
        assertThat(ctl("wait", "UNKNOWN").exits(1).err()).isEqualTo("ha-ctl: no task with id 'UNKNOWN'\n");
        assertThat(ctl("cancel", "UNKNOWN").exits(1).err()).isEqualTo("ha-ctl: no task with id 'UNKNOWN'\n");
    }

    @Test
    void tasksListsByStateAndRefusesUnknownStates() throws Exception {
        echoMember("agent-a");
        String done = submit("--type", "echo", "--payload", "1");
        ctl("wait", done).exits(0);
        String pending1 = submit("--type", "nobody", "--label", "nowhere", "--priority", "1");
        String pending2 = submit("--type", "nobody", "--label", "nowhere", "--priority", "900");

        Result pending = ctl("tasks", "--state", "pending").exits(0);
        List<String> lines = pending.out().lines().toList();
        assertThat(lines.get(0)).matches("ID +TYPE +STATE +ATTEMPT +PRIORITY +AGENT +AGE +LAST ERROR");
        assertThat(lines).hasSize(3);
        // Dispatch order: higher priority first.
        assertThat(lines.get(1)).startsWith(pending2);
        assertThat(lines.get(2)).startsWith(pending1).contains("PENDING").contains("1/3");

        JsonNode all = ctl("tasks", "--json").exits(0).json();
        assertThat(all).hasSize(3);
        assertThat(all.get(0).get("id").asText()).isEqualTo(pending2);
        List<String> fields = new java.util.ArrayList<>();
        all.get(0).fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "type", "state", "attempt", "maxAttempts", "priority", "agent",
                "createdAt", "lastError", "payloadBytes");
        assertThat(ctl("tasks", "--state", "SUCCEEDED", "--json").exits(0).json().get(0).get("id").asText())
                .isEqualTo(done);
        assertThat(ctl("tasks", "--limit", "1", "--json").exits(0).json()).hasSize(1);

        Result none = ctl("tasks", "--state", "DEAD").exits(0);
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).isEqualTo("ha-ctl: no DEAD tasks in cluster 'test' at " + server.getConnectString()
                + "\n");
        assertThat(ctl("tasks", "--state", "DEAD", "--json").exits(0).out()).isEqualTo("[]\n");

        Result bogus = ctl("tasks", "--state", "BOGUS").exits(2);
        assertThat(bogus.err()).contains("unknown task state 'BOGUS'; expected one of PENDING, ASSIGNED, RUNNING, "
                + "SUCCEEDED, FAILED, DEAD, CANCELLED");
        assertThat(bogus.out()).isEmpty();
        assertThat(ctl("tasks", "--limit", "0").exits(2).err()).contains("--limit must be in 1-10000, got 0");
    }

    @Test
    void cancelEndsAPendingTaskOnceAndRefusesEndedOnes() throws Exception {
        echoMember("agent-a");
        String pending = submit("--type", "nobody", "--label", "nowhere");
        Result cancelled = ctl("cancel", pending).exits(0);
        assertThat(cancelled.out()).isEqualTo("task " + pending + " cancelled\n");
        assertThat(ctl("cancel", pending).exits(0).out()).isEqualTo("task " + pending + " was already cancelled\n");
        JsonNode again = ctl("cancel", pending, "--json").exits(0).json();
        assertThat(again.get("cancelled").asBoolean()).isFalse();
        assertThat(again.get("state").asText()).isEqualTo("CANCELLED");
        assertThat(ctl("wait", pending).exits(1).out()).startsWith("task " + pending + " CANCELLED");

        String done = submit("--type", "echo");
        ctl("wait", done).exits(0);
        Result refused = ctl("cancel", done).exits(1);
        assertThat(refused.err()).isEqualTo("ha-ctl: task " + done + " already ended SUCCEEDED; nothing to cancel\n");

        String other = submit("--type", "nobody", "--label", "nowhere");
        JsonNode json = ctl("--json", "cancel", other).exits(0).json();
        assertThat(json.get("id").asText()).isEqualTo(other);
        assertThat(json.get("cancelled").asBoolean()).isTrue();
    }

    @Test
    void waitExitsZeroOnSuccessAndOneOnFailureOrTimeout() throws Exception {
        HaCluster a = echoMember("agent-a");
        a.worker().register("fail", ctx -> {
            throw new NonRetryableTaskException("disk full");
        }, 1);

        String ok = submit("--type", "echo", "--payload", "p");
        JsonNode success = ctl("wait", ok, "--json").exits(0).json();
        assertThat(success.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(success.get("succeeded").asBoolean()).isTrue();
        assertThat(success.get("result").get("text").asText()).isEqualTo("echo:p");

        String failing = submit("--type", "fail");
        Result failed = ctl("wait", failing, "--timeout", "20s").exits(1);
        assertThat(failed.out()).startsWith("task " + failing + " FAILED (attempt 1/3, agent agent-a")
                .endsWith("disk full\n");
        JsonNode failedJson = ctl("wait", failing, "--json").exits(1).json();
        assertThat(failedJson.get("state").asText()).isEqualTo(TaskState.FAILED.name());
        assertThat(failedJson.get("lastError").asText()).contains("disk full");

        String stuck = submit("--type", "nobody", "--label", "nowhere");
        Result timedOut = ctl("wait", stuck, "--timeout", "300ms").exits(1);
        assertThat(timedOut.err()).isEqualTo("ha-ctl: task " + stuck + " did not end within 300ms; it is PENDING "
                + "(attempt 1/3)\n");
        assertThat(ctl("wait", stuck, "--timeout", "300ms", "--json").exits(1).json().get("ended").asBoolean())
                .isFalse();
    }

    @Test
    void taskShowsTheProgressOfARunningTaskAsItsAgentPublishedIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        member("agent-p").worker().register("long", ctx -> {
            ctx.reportProgress(40, "step 4 of 10");
            release.await();
            return null;
        }, 1);
        String id = submit("--type", "long");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> ctl("task", id).exits(0).out().contains("Progress:   40% step 4 of 10\n"));
        JsonNode progress = ctl("task", id, "--json").exits(0).json().get("progress");
        assertThat(progress.get("percent").asInt()).isEqualTo(40);
        assertThat(progress.get("message").asText()).isEqualTo("step 4 of 10");
        assertThat(progress.get("agent").asText()).isEqualTo("agent-p");
        assertThat(progress.get("attempt").asInt()).isEqualTo(1);

        release.countDown();
        assertThat(ctl("wait", id, "--timeout", "20s").exits(0).out()).contains("SUCCEEDED");
        assertThat(ctl("task", id).exits(0).out()).doesNotContain("Progress:");
        assertThat(ctl("task", id, "--json").exits(0).json().get("progress").isNull()).isTrue();
    }
}
