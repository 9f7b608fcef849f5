package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.TaskRejectedException;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.proxy.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Follow-up tasks: created in the transaction that records the parent's outcome, with its result as input. */
class PipelineTest extends ZkTestBase {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Appends its own name to whatever it receives, so the final result shows the path taken. */
    private static TaskHandler appender(String step, List<String> log) {
        return ctx -> {
            log.add(step + "@" + ctx.agentId());
            String in = text(ctx.input());
            return ((in.isEmpty() ? "" : in + "|") + step).getBytes(StandardCharsets.UTF_8);
        };
    }

    private static TaskSpec chain() {
        return TaskSpec.builder("a").then(TaskSpec.builder("b").then(TaskSpec.builder("c").build()).build()).build();
    }

    private TaskRecord lastOfChain(TaskQueue queue, String rootId) throws Exception {
        TaskRecord r = queue.await(rootId, WAIT);
        while (!r.children().isEmpty()) {
            assertThat(r.state()).isEqualTo(TaskState.SUCCEEDED);
            r = queue.await(r.children().get(0), WAIT);
        }
        return r;
    }

    @Test
    void threeStepChainRunsInOrderPassingEachResultOn() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        HaCluster agent = member("agent");
        for (String step : List.of("a", "b", "c")) {
            agent.worker().register(step, appender(step, log), 1);
        }
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();

        String root = queue.submit(chain());
        TaskRecord last = lastOfChain(queue, root);

        assertThat(last.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(text(last.result())).isEqualTo("a|b|c");
        assertThat(log).extracting(s -> s.substring(0, 1)).containsExactly("a", "b", "c");
        TaskRecord a = queue.get(root).orElseThrow();
        TaskRecord b = queue.get(a.children().get(0)).orElseThrow();
        assertThat(b.parentId()).isEqualTo(root);
        assertThat(text(b.input())).isEqualTo("a");
        assertThat(last.parentId()).isEqualTo(b.id());
    }

    @Test
    void chainSurvivesTheLossOfTheAgentBetweenAndDuringSteps() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch bStarted = new CountDownLatch(1);
        HaCluster leader = member("leader"); // leads and dispatches throughout; runs no tasks
        // "first" dies like a kill -9: its connection goes silent for good and the servers expire its session.
        TcpProxy link = closeLater(new TcpProxy(server.getPort()));
        HaCluster first = member("first", b -> b.connectString(link.connectString()));
        first.worker().register("a", appender("a", log), 1);
        first.worker().register("b", ctx -> {
            bStarted.countDown();
            Thread.sleep(Long.MAX_VALUE); // dies in the middle of step b
            return null;
        }, 1);
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
        String root = queue.submit(chain());
        assertThat(bStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        link.partition();
        HaCluster second = member("second");
        for (String step : List.of("a", "b", "c")) {
            second.worker().register(step, appender(step, log), 1);
        }

        TaskRecord last = lastOfChain(queue, root);
        assertThat(text(last.result())).isEqualTo("a|b|c");
        TaskRecord b = queue.get(queue.get(root).orElseThrow().children().get(0)).orElseThrow();
        assertThat(b.agent()).isEqualTo("second");
        assertThat(b.attempt()).isEqualTo(2);
        assertThat(log).containsExactly("a@first", "b@second", "c@second");
        assertThat(leader.leaderElection().isLeader()).isTrue();
    }

    @Test
    void failedParentCreatesOnlyItsFailureFollowUpWithTheErrorAsInput() throws Exception {
        List<String> inputs = new CopyOnWriteArrayList<>();
        HaCluster agent = member("agent");
        agent.worker().register("parent", ctx -> {
            throw new NonRetryableTaskException("disk full");
        }, 1);
        agent.worker().register("next", ctx -> null, 1);
        agent.worker().register("alert", ctx -> {
            inputs.add(text(ctx.input()));
            return null;
        }, 1);
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();

        String id = queue.submit(TaskSpec.builder("parent")
                .then(TaskSpec.builder("next").build())
                .onFailure(TaskSpec.builder("alert").build()).build());
        TaskRecord parent = queue.await(id, WAIT);

        assertThat(parent.state()).isEqualTo(TaskState.FAILED);
        assertThat(parent.children()).hasSize(1);
        TaskRecord alert = queue.await(parent.children().get(0), WAIT);
        assertThat(alert.type()).isEqualTo("alert");
        assertThat(inputs).singleElement().asString().contains("disk full");
        assertThat(queue.counts().get(TaskState.SUCCEEDED)).isEqualTo(1); // the alert only
    }

    @Test
    void successFansOutToEveryFollowUp() throws Exception {
        HaCluster agent = member("agent");
        agent.worker().register("root", ctx -> "r".getBytes(StandardCharsets.UTF_8), 1);
        agent.worker().register("leaf", ctx -> ctx.input(), 2);
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();

        String id = queue.submit(TaskSpec.builder("root").then(TaskSpec.builder("leaf").build(),
                TaskSpec.builder("leaf").priority(900).build(), TaskSpec.builder("leaf").build()).build());
        TaskRecord root = queue.await(id, WAIT);

        assertThat(root.children()).hasSize(3).doesNotHaveDuplicates();
        for (String child : root.children()) {
            TaskRecord leaf = queue.await(child, WAIT);
            assertThat(text(leaf.result())).isEqualTo("r");
            assertThat(leaf.parentId()).isEqualTo(id);
        }
    }

    @Test
    void cancelledParentCreatesNoFollowUps() throws Exception {
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
        String id = queue.submit(TaskSpec.builder("x").then(TaskSpec.builder("y").build())
                .onFailure(TaskSpec.builder("z").build()).build());

        assertThat(queue.cancel(id)).isTrue();

        assertThat(queue.get(id).orElseThrow().children()).isEmpty();
        assertThat(queue.counts().get(TaskState.PENDING)).isZero();
    }

    @Test
    void followUpWithAnIdempotencyKeyIsRefusedAtSubmit() throws Exception {
        TaskQueue queue = member("client", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
        assertThatThrownBy(() -> queue.submit(TaskSpec.builder("x")
                .then(TaskSpec.builder("y").idempotencyKey("k").build()).build()))
                .isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining("idempotency key");
        await().until(() -> queue.counts().get(TaskState.PENDING) == 0);
    }
}
