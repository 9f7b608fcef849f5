package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.task.NonRetryableTaskException;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.testing.BlockingHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** submit --timeout, submit --batch and retry: what ha-ctl prints, its exit codes, and what it stores. */
class CtlTimingTest extends CtlTestBase {
    @TempDir
    Path dir;

    private TaskQueue queue() throws Exception {
        return member("reader", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
    }

    private static long total(Map<TaskState, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void batchOfTenThousandLinesSubmitsThemAllAndPrintsTheIdsInOrder() throws Exception {
        TaskQueue queue = queue();
        String lines = IntStream.range(0, 10_000).mapToObj(i -> "{\"type\":\"work\",\"payload\":\"item-" + i
                + "\",\"priority\":" + (i % 10) + "}").collect(Collectors.joining("\n", "", "\n"));

        long start = System.nanoTime();
        Result r = ctlWithStdin(lines.getBytes(StandardCharsets.UTF_8), "submit", "--batch", "-").exits(0);
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        List<String> ids = Arrays.asList(r.out().split("\n"));
        assertThat(ids).hasSize(10_000).doesNotHaveDuplicates().allMatch(id -> id.matches("[0-9a-f]{11}-[0-9a-f]{12}"));
        assertThat(queue.counts().get(TaskState.PENDING)).isEqualTo(10_000);
        TaskRecord last = queue.get(ids.get(9_999)).orElseThrow();
        assertThat(new String(last.payload(), StandardCharsets.UTF_8)).isEqualTo("item-9999");
        assertThat(last.priority()).isEqualTo(9);
        System.out.println("submit --batch of 10000 lines took " + tookMs + " ms (in-process, connection included)");
    }

    @Test
    void batchWithABadLineIsRefusedNamingTheLineAndStoresNothing() throws Exception {
        TaskQueue queue = queue();
        String good = "{\"type\":\"work\",\"payload\":{\"n\":1},\"timeout\":\"30s\",\"labels\":[\"gpu\"]}";
        Map<String, String> bad = Map.of(
                "not json at all", "stdin line 4: not JSON",
                "[1,2]", "stdin line 4: not a JSON object",
                "{\"typ\":\"work\"}", "stdin line 4: unknown field 'typ'",
                "{\"payload\":\"x\"}", "stdin line 4: 'type' is required",
                "{\"type\":\"work\",\"priority\":5000}", "stdin line 4: task priority must be in 0-999, got 5000",
                "{\"type\":\"work\",\"timeout\":\"soon\"}", "stdin line 4: 'timeout': invalid duration 'soon'",
                "{\"type\":\"exec\",\"payload\":\"ls\"}", "stdin line 4: payload is not a valid exec payload");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            // Line 2 is empty: skipped, but counted.
            String input = good + "\n\n" + good + "\n" + e.getKey() + "\n" + good + "\n";
            Result r = ctlWithStdin(input.getBytes(StandardCharsets.UTF_8), "submit", "--batch", "-").exits(2);
            assertThat(r.err()).as(e.getKey()).startsWith("ha-ctl: " + e.getValue());
            assertThat(r.out()).isEmpty();
        }
        assertThat(total(queue.counts())).isZero();

        Path file = Files.writeString(dir.resolve("tasks.jsonl"), good + "\n{\"type\":\"work\",\"maxAttempts\":\"3\"}\n");
        assertThat(ctl("submit", "--batch", file.toString()).exits(2).err())
                .isEqualTo("ha-ctl: " + file + " line 2: 'maxAttempts' must be an integer, got \"3\"\n");
        assertThat(ctl("submit", "--batch", "-", "--type", "work").exits(2).err())
                .contains("--batch takes every task from its file").contains("--type");
        assertThat(ctl("submit", "--batch", dir.resolve("missing.jsonl").toString()).exits(2).err())
                .contains("cannot read").contains("missing.jsonl");
        assertThat(total(queue.counts())).isZero();
    }

    @Test
    void batchJsonOutputAndExecCommandLines() throws Exception {
        TaskQueue queue = queue();
        String input = "{\"type\":\"exec\",\"command\":[\"echo\",\"hi\"],\"env\":{\"A\":\"b\"},\"key\":\"k-1\"}\n"
                + "{\"type\":\"work\",\"payloadBase64\":\"AAEC\",\"delay\":\"1h\"}\n";
        JsonNode out = ctlWithStdin(input.getBytes(StandardCharsets.UTF_8), "submit", "--batch", "-", "--json")
                .exits(0).json();

        assertThat(out).hasSize(2);
        assertThat(out.get(0).get("type").asText()).isEqualTo("exec");
        assertThat(out.get(0).get("idempotencyKey").asText()).isEqualTo("k-1");
        assertThat(out.get(1).get("payloadBytes").asInt()).isEqualTo(3);
        TaskRecord exec = queue.get(out.get(0).get("id").asText()).orElseThrow();
        assertThat(new String(exec.payload(), StandardCharsets.UTF_8)).contains("\"command\":[\"echo\",\"hi\"]");
    }

    @Test
    void submitTimeoutIsTheTaskTimeoutForEveryType() throws Exception {
        BlockingHandler blocker = new BlockingHandler();
        member("agent").worker().register("slow", blocker, 1);

        Result r = ctl("submit", "--type", "slow", "--timeout", "300ms", "--max-attempts", "1").exits(0);
        String id = r.out().trim();

        Result waited = ctl("wait", id, "--timeout", "20s").exits(1);
        assertThat(waited.out() + waited.err()).contains("DEAD");
        TaskRecord dead = queue().get(id).orElseThrow();
        assertThat(dead.timeoutMs()).isEqualTo(300);
        assertThat(dead.lastError()).contains("timed out after 300ms (task timeout)");
        assertThat(blocker.interrupted).containsExactly(id);
        assertThat(ctl("task", id).exits(0).out()).contains("Timeout:    300ms\n");
        assertThat(ctl("task", id, "--json").exits(0).json().get("timeoutMs").asLong()).isEqualTo(300);
    }

    @Test
    void retryPutsDeadTasksBackAndRefusesOthers() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean();
        member("agent").worker().register("flaky", ctx -> {
            if (!healthy.get()) {
                throw new IllegalStateException("down");
            }
            return null;
        }, 2).register("strict", ctx -> {
            throw new NonRetryableTaskException("never");
        }, 1);
        TaskQueue queue = queue();
        String one = ctl("submit", "--type", "flaky", "--max-attempts", "1").exits(0).out().trim();
        String two = ctl("submit", "--type", "flaky", "--max-attempts", "1").exits(0).out().trim();
        String three = ctl("submit", "--type", "flaky", "--max-attempts", "1").exits(0).out().trim();
        String failed = ctl("submit", "--type", "strict").exits(0).out().trim();
        for (String id : List.of(one, two, three, failed)) {
            queue.await(id, WAIT);
        }
        healthy.set(true);

        assertThat(ctl("retry", one).exits(0).out())
                .isEqualTo("task " + one + " (flaky) retried: PENDING with 1 fresh attempt(s)\n");
        assertThat(queue.await(one, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(ctl("retry", one).exits(1).err())
                .isEqualTo("ha-ctl: task " + one + " is SUCCEEDED; only DEAD or FAILED tasks can be retried\n");
        assertThat(ctl("retry", "1a2b3c4d5e6-000000000000").exits(1).err()).contains("1a2b3c4d5e6-000000000000");

        Result all = ctl("retry", "--state", "DEAD", "--type", "flaky", "--limit", "5").exits(0);
        assertThat(all.out()).contains(two).contains(three).endsWith("2 task(s) retried\n").doesNotContain(failed);
        assertThat(queue.await(two, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        JsonNode json = ctl("retry", "--state", "FAILED", "--json").exits(0).json();
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("id").asText()).isEqualTo(failed);
        assertThat(json.get(0).get("state").asText()).isEqualTo("PENDING");

        assertThat(ctl("retry").exits(2).err()).contains("give either a task ID or --state DEAD|FAILED");
        assertThat(ctl("retry", "--state", "SUCCEEDED").exits(2).err()).contains("not SUCCEEDED");
        assertThat(ctl("retry", one, "--limit", "3").exits(2).err()).contains("apply only with --state");
    }
}
