package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.NoSuchTaskException;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.task.store.TaskIds;
import io.ha.core.testing.BlockingHandler;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.proxy.TcpProxy;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/** {@link TaskQueue#future}: watch-driven outcome futures on a real server. */
class TaskFutureTest extends ZkTestBase {

    private HaCluster client() throws Exception {
        return member("client", b -> b.role(ClusterRole.OBSERVER));
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void futuresCompleteOnEveryTerminalState() throws Exception {
        BlockingHandler blocker = new BlockingHandler();
        member("a").worker().register("outcome", ctx -> switch (ctx.payloadAsString()) {
            case "fail" -> throw new NonRetryableTaskException("refused");
            case "die" -> throw new IllegalStateException("crashed");
            default -> "fine".getBytes(StandardCharsets.UTF_8);
        }, 3).register("block", blocker, 1);
        TaskQueue queue = client().taskQueue();
        String blocked = queue.submit(TaskSpec.builder("block").build());
        CompletableFuture<TaskRecord> cancelled = queue.future(blocked);
        await().atMost(WAIT).until(() -> blocker.started.contains(blocked));
        assertThat(cancelled).isNotDone();

        List<String> ids = queue.submitAll(List.of(TaskSpec.builder("outcome").payload("ok").build(),
                TaskSpec.builder("outcome").payload("fail").build(),
                TaskSpec.builder("outcome").payload("die").maxAttempts(1).build()));
        CompletableFuture<List<TaskRecord>> all = queue.futures(ids);
        queue.cancel(blocked);

        assertThat(get(all)).extracting(TaskRecord::id, TaskRecord::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ids.get(0), TaskState.SUCCEEDED),
                org.assertj.core.groups.Tuple.tuple(ids.get(1), TaskState.FAILED),
                org.assertj.core.groups.Tuple.tuple(ids.get(2), TaskState.DEAD));
        assertThat(get(cancelled).state()).isEqualTo(TaskState.CANCELLED);
    }

    @Test
    void futureOfAnEndedTaskCompletesAtOnceAndOfAnUnknownIdFails() throws Exception {
        member("a").worker().register("echo", ctx -> ctx.payload(), 1);
        TaskQueue queue = client().taskQueue();
        String id = queue.submit(TaskSpec.builder("echo").payload("hi").build());
        TaskRecord done = queue.await(id, WAIT);

        assertThat(get(queue.future(id))).isEqualTo(done);
        String unknown = TaskIds.newId(System.currentTimeMillis());
        assertThatThrownBy(() -> get(queue.future(unknown))).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NoSuchTaskException.class).hasMessageContaining(unknown);
        assertThatThrownBy(() -> get(queue.futures(List.of(id, unknown))))
                .hasCauseInstanceOf(NoSuchTaskException.class);
    }

    /** The paths this client holds persistent recursive watches on (ZooKeeper exposes them to tests only). */
    @SuppressWarnings("unchecked")
    private static List<String> recursiveWatches(HaCluster cluster) throws Exception {
        Method m = ZooKeeper.class.getDeclaredMethod("getPersistentRecursiveWatches");
        m.setAccessible(true);
        return (List<String>) m.invoke(cluster.curator().getZookeeperClient().getZooKeeper());
    }

    @Test
    void cancellingTheFutureLeavesTheTaskRunningToCompletionAndTheLastOneGoneRemovesTheWatch() throws Exception {
        BlockingHandler blocker = new BlockingHandler();
        BlockingHandler later = new BlockingHandler();
        member("a").worker().register("block", blocker, 1).register("later", later, 1);
        HaCluster client = client();
        TaskQueue queue = client.taskQueue();
        String done = paths(client).done();
        String id = queue.submit(TaskSpec.builder("block").build());
        CompletableFuture<TaskRecord> dropped = queue.future(id);
        CompletableFuture<TaskRecord> kept = queue.future(id);
        await().atMost(WAIT).until(() -> blocker.started.contains(id));
        await().atMost(WAIT).until(() -> recursiveWatches(client).contains(done));

        assertThat(dropped.cancel(true)).isTrue();
        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(TaskState.RUNNING);
        assertThat(recursiveWatches(client)).containsOnlyOnce(done);
        blocker.release.countDown();

        assertThat(get(kept).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(blocker.interrupted).isEmpty();
        await().atMost(WAIT).until(() -> !recursiveWatches(client).contains(done));

        // Set up again for the next future, which completes through it.
        String next = queue.submit(TaskSpec.builder("later").build());
        CompletableFuture<TaskRecord> again = queue.future(next);
        await().atMost(WAIT).until(() -> recursiveWatches(client).contains(done));
        later.release.countDown();
        assertThat(get(again).state()).isEqualTo(TaskState.SUCCEEDED);
        await().atMost(WAIT).until(() -> !recursiveWatches(client).contains(done));

        // Due in an hour: the task stays pending, and its one future, cancelled, takes the watch with it.
        CompletableFuture<TaskRecord> alone = queue.future(queue.submit(TaskSpec.builder("later")
                .delay(java.time.Duration.ofHours(1)).build()));
        await().atMost(WAIT).until(() -> recursiveWatches(client).contains(done));
        alone.cancel(false);
        await().atMost(WAIT).until(() -> !recursiveWatches(client).contains(done));
    }

    @Test
    void futureCompletesAfterItsClientsSessionExpired() throws Exception {
        BlockingHandler blocker = new BlockingHandler();
        member("a").worker().register("block", blocker, 1);
        HaCluster client = client();
        TaskQueue queue = client.taskQueue();
        String id = queue.submit(TaskSpec.builder("block").build());
        CompletableFuture<TaskRecord> f = queue.future(id);
        await().atMost(WAIT).until(() -> blocker.started.contains(id));
        long session = client.curator().getZookeeperClient().getZooKeeper().getSessionId();

        expireSessionOnServer(client);
        blocker.release.countDown();

        assertThat(get(f).state()).isEqualTo(TaskState.SUCCEEDED);
        await().atMost(WAIT).until(() -> client.curator().getZookeeperClient().getZooKeeper().getSessionId()
                != session);
    }

    @Test
    void thousandsOfFuturesShareOneWatchAndAllComplete() throws Exception {
        member("a").worker().register("n", ctx -> ctx.payload(), 8);
        HaCluster client = client();
        TaskQueue queue = client.taskQueue();
        List<String> ids = queue.submitAll(java.util.stream.IntStream.range(0, 3000)
                .mapToObj(i -> TaskSpec.builder("n").payload("p" + i).build()).toList());
        long start = System.nanoTime();

        CompletableFuture<List<TaskRecord>> all = queue.futures(ids);
        assertThat(recursiveWatches(client)).containsOnlyOnce(paths(client).done());
        List<TaskRecord> records = get(all);

        assertThat(records).extracting(TaskRecord::id).containsExactlyElementsOf(ids);
        assertThat(records).allMatch(r -> r.state() == TaskState.SUCCEEDED);
        System.out.println("3000 futures completed " + (System.nanoTime() - start) / 1_000_000
                + " ms after they were asked for");
    }

    @Test
    void futureCompletesWhenTheOutcomeIsRecordedWhileItsClientIsCutOff() throws Exception {
        BlockingHandler blocker = new BlockingHandler();
        member("a").worker().register("block", blocker, 1);
        TcpProxy link = closeLater(new TcpProxy(server.getPort()));
        HaCluster client = member("client", b -> b.role(ClusterRole.OBSERVER).connectString(link.connectString()));
        TaskQueue queue = client.taskQueue();
        TaskQueue direct = member("direct", b -> b.role(ClusterRole.OBSERVER)).taskQueue();
        String id = queue.submit(TaskSpec.builder("block").build());
        CompletableFuture<TaskRecord> f = queue.future(id);
        await().atMost(WAIT).until(() -> blocker.started.contains(id));

        link.partition();
        await().atMost(WAIT).until(() -> client.connectionGuard().state() != ConnectionGuard.State.CONNECTED);
        blocker.release.countDown();
        await().atMost(WAIT).until(() -> direct.get(id).orElseThrow().state() == TaskState.SUCCEEDED);
        assertThat(f).isNotDone();
        link.heal();

        assertThat(get(f).state()).isEqualTo(TaskState.SUCCEEDED);
    }
}
