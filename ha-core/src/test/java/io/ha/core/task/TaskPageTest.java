package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.testing.ZkTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskPageTest extends ZkTestBase {
    private TaskQueue queue;
    private List<String> alphas;
    private List<String> betas;

    @BeforeEach
    void submitTasks() throws Exception {
        HaCluster client = member("client", b -> b.role(ClusterRole.OBSERVER));
        queue = client.taskQueue();
        // No agent takes them: they stay pending.
        alphas = queue.submitAll(IntStream.range(0, 300).mapToObj(i -> TaskSpec.builder("alpha").build()).toList());
        betas = queue.submitAll(IntStream.range(0, 30).mapToObj(i -> TaskSpec.builder("beta").build()).toList());
    }

    private List<String> walk(TaskState state, String type, int limit) throws Exception {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            TaskPage page = queue.page(state, type, cursor, limit);
            assertThat(page.tasks()).hasSizeLessThanOrEqualTo(limit);
            page.tasks().forEach(r -> ids.add(r.id()));
            cursor = page.next();
            assertThat(++pages).as("pages of a walk").isLessThan(1000);
        } while (cursor != null);
        return ids;
    }

    @Test
    void walkingThePagesVisitsEveryTaskOnce() throws Exception {
        List<String> all = new ArrayList<>(alphas);
        all.addAll(betas);

        assertThat(walk(TaskState.PENDING, null, 37)).containsExactlyInAnyOrderElementsOf(all);
        assertThat(walk(null, null, 100)).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void aPageOfALargeStoreStopsEarlyWithACursor() throws Exception {
        TaskPage first = queue.page(TaskState.PENDING, null, null, 2);

        assertThat(first.tasks()).hasSize(2);
        // PENDING/<bucket>/<name>: it stopped in one of the first buckets, not after listing all 256.
        String[] cursor = first.next().split("/", 3);
        assertThat(cursor[0]).isEqualTo("PENDING");
        assertThat(Integer.parseInt(cursor[1], 16)).isLessThan(8);
    }

    @Test
    void typeFilterKeepsOnlyThatTypeInPendingAndEndedStates() throws Exception {
        assertThat(walk(TaskState.PENDING, "beta", 7)).containsExactlyInAnyOrderElementsOf(betas);

        for (String id : betas.subList(0, 4)) {
            queue.cancel(id);
        }
        queue.cancel(alphas.get(0));
        assertThat(walk(TaskState.CANCELLED, "beta", 3)).containsExactlyInAnyOrderElementsOf(betas.subList(0, 4));
        assertThat(walk(TaskState.CANCELLED, null, 3)).hasSize(5);
        assertThat(walk(null, "beta", 1000)).containsExactlyInAnyOrderElementsOf(betas);
    }

    @Test
    void findsATaskByItsIdempotencyKey() throws Exception {
        String id = queue.submit(TaskSpec.builder("alpha").idempotencyKey("order-42").build());

        assertThat(queue.findByKey("order-42")).hasValueSatisfying(r -> assertThat(r.id()).isEqualTo(id));
        assertThat(queue.findByKey("order-43")).isEmpty();
    }

    @Test
    void refusesABadLimitOrCursor() {
        assertThatThrownBy(() -> queue.page(TaskState.PENDING, null, null, TaskPage.MAX_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1-" + TaskPage.MAX_LIMIT);
        assertThatThrownBy(() -> queue.page(TaskState.PENDING, null, "PENDING/zz/x", 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cursor");
        assertThatThrownBy(() -> queue.page(TaskState.PENDING, null, "DEAD/0/", 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another state");
    }
}
