package io.ha.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.agent.testing.Processes;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.ZkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task timeout ({@code TaskSpec.timeout}) applied to an exec task on a real cluster kills its process tree. */
class ExecTaskTimeoutTest extends ZkTestBase {
    @TempDir
    Path dir;

    @Test
    void taskTimeoutInterruptsTheExecHandlerWhichKillsTheWholeProcessTree() throws Exception {
        member("agent").worker().register(ExecPayload.TYPE, new ExecHandler(Duration.ofMillis(500)), 1);
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
        Path pidFile = dir.resolve("grandchild.pid");
        // No timeout of its own in the payload: only the task's limit applies.
        byte[] payload = new ExecPayload(List.of("sh", "-c", "sleep 120 & echo $! > " + pidFile + "; wait"),
                Map.of(), null, 0).toJson();

        String id = queue.submit(TaskSpec.builder(ExecPayload.TYPE).payload(payload).maxAttempts(1)
                .timeout(Duration.ofSeconds(1)).build());
        TaskRecord dead = queue.await(id, WAIT);

        assertThat(dead.state()).isEqualTo(TaskState.DEAD);
        assertThat(dead.lastError()).contains("timed out after 1s (task timeout)");
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        await().atMost(Duration.ofSeconds(10)).until(() -> Processes.gone(grandchild));
    }
}
