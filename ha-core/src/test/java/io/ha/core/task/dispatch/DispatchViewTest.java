package io.ha.core.task.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.core.internal.ZPaths;
import io.ha.core.task.store.PendingEntry;
import io.ha.core.testing.ZkTestBase;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The view against a real server: what a reload reads, and how events and the term's own moves keep it current. */
class DispatchViewTest extends ZkTestBase {
    private CuratorFramework client;
    private ZPaths paths;
    private DispatchView view;

    @BeforeEach
    void connect() {
        client = closeLater(CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100)));
        client.start();
        paths = new ZPaths("/ha", "view");
        view = new DispatchView(client, paths, WAIT);
    }

    private static PendingEntry entry(String taskId) {
        return new PendingEntry(500, 0, taskId, false);
    }

    private static AssignmentPlanner.Move move(String taskId, String agent) {
        return new AssignmentPlanner.Move(entry(taskId), agent, Placement.UNKNOWN);
    }

    @Test
    void reloadReadsPointersAndAssignmentsAndSkipsMalformedPointers() throws Exception {
        client.create().creatingParentsIfNeeded().forPath(paths.pendingPointer("t1", entry("t1").name()));
        client.create().creatingParentsIfNeeded().forPath(paths.pendingPointer("t2", "not-a-pointer"));
        client.create().creatingParentsIfNeeded().forPath(paths.assignment("a1", "t3"));
        client.create().creatingParentsIfNeeded().forPath(paths.assignment("a1", "t4"));
        client.create().creatingParentsIfNeeded().forPath(paths.assignedDir("a2"));

        view.reload();

        assertThat(view.pending().size()).isEqualTo(1);
        assertThat(view.pending().next(10, labels -> true)).containsExactly(entry("t1"));
        assertThat(view.inFlightCount("a1")).isEqualTo(2);
        assertThat(view.inFlightCount("a2")).isZero();
        assertThat(view.agentsWithAssignments()).isEqualTo(2);
    }

    @Test
    void watchEventsAndOwnMovesKeepTheCountsCurrent() {
        view.onAssignedEvent(EventType.NodeCreated, List.of("a1", "t1"));
        AssignmentPlanner.Move t2 = move("t2", "a1");
        view.moved(t2, 0);
        assertThat(view.inFlightCount("a1")).isEqualTo(2);

        view.notMoved(t2);
        view.onAssignedEvent(EventType.NodeDeleted, List.of("a1", "t1"));
        assertThat(view.inFlightCount("a1")).isZero();

        view.onAssignedEvent(EventType.NodeCreated, List.of("a2", "t3"));
        view.onAssignedEvent(EventType.NodeDeleted, List.of("a2"));
        assertThat(view.inFlightCount("a2")).isZero();
        assertThat(view.agentsWithAssignments()).isEqualTo(1); // a1's (empty) set stays until a reload
    }

    @Test
    void aMovedTaskLeavesTheIndex() {
        view.addPointer(entry("t1").name());
        view.addPointer(entry("t2").name());

        view.moved(move("t1", "a1"), 0);

        assertThat(view.pending().next(10, labels -> true)).containsExactly(entry("t2"));
    }

    @Test
    void ensureDirCreatesAnAgentsDirectoryOnceAndAgainAfterItWasForgotten() throws Exception {
        client.create().creatingParentsIfNeeded().forPath(paths.assigned());

        view.ensureDir("a1");
        assertThat(client.checkExists().forPath(paths.assignedDir("a1"))).isNotNull();

        client.delete().forPath(paths.assignedDir("a1"));
        view.ensureDir("a1"); // still known: no request
        assertThat(client.checkExists().forPath(paths.assignedDir("a1"))).isNull();

        view.forgetDir("a1");
        view.ensureDir("a1");
        assertThat(client.checkExists().forPath(paths.assignedDir("a1"))).isNotNull();

        view.ensureDir("a2"); // made by the agent itself meanwhile: fine either way
        view.forgetDir("a2");
        view.ensureDir("a2");
        assertThat(client.checkExists().forPath(paths.assignedDir("a2"))).isNotNull();
    }
    @Test
    void aRefusedStaleMoveOfATaskInFlightLeavesItCounted() {
        Placement job = new Placement("job", "c1", Set.of());
        AssignmentPlanner.Move first = new AssignmentPlanner.Move(entry("t1"), "a1", job);
        view.moved(first, 0);
        view.answered(first);
        view.onAssignedEvent(EventType.NodeCreated, List.of("a1", "t1"));
        // A stale entry of the same task (an announcement read after the move) is moved again and refused.
        AssignmentPlanner.Move stale = new AssignmentPlanner.Move(entry("t1"), "a1", job);
        view.moved(stale, 0);
        view.notMoved(stale);

        assertThat(view.inFlightCount("a1")).isEqualTo(1);
        assertThat(view.gate().running("job")).isEqualTo(1);
        assertThat(view.gate().running("job", "c1")).isEqualTo(1);
        view.onAssignedEvent(EventType.NodeDeleted, List.of("a1", "t1"));
        assertThat(view.gate().running("job")).isZero();
        assertThat(view.gate().running("job", "c1")).isZero();
    }

    @Test
    void aReloadCountsTheAssignmentsByTheTypeAndKeyTheyRecordAndTheMovesNotAnswered() throws Exception {
        client.create().creatingParentsIfNeeded().forPath(paths.assignment("a1", "t1"), io.ha.core.internal.Json
                .write(new io.ha.core.task.store.Assignment("t1", "a1", 0, 1, 1, -1, null, "job", "c1")));
        client.create().creatingParentsIfNeeded().forPath(paths.assignment("a2", "t2"), io.ha.core.internal.Json
                .write(new io.ha.core.task.store.Assignment("t2", "a2", 0, 1, 1, -1, null)));
        view.moved(new AssignmentPlanner.Move(entry("t3"), "a2", new Placement("job", null, Set.of())), 0);

        view.reload();

        assertThat(view.gate().running("job")).isEqualTo(2);
        assertThat(view.gate().running("job", "c1")).isEqualTo(1);
        assertThat(view.inFlightCount("a2")).isEqualTo(2);
    }
}
