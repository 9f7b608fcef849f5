package io.ha.core.task.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.internal.ZPaths;
import io.ha.core.leader.LeaderContext;
import io.ha.core.membership.AgentInfo;
import io.ha.core.membership.AgentRegistry;
import io.ha.core.membership.Membership;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.AssignmentStrategies;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.store.PendingEntry;
import io.ha.core.task.store.TaskLayout;
import io.ha.core.task.store.TaskStore;
import io.ha.core.testing.ZkTestBase;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;

/**
 * One term's assignment rounds against a real server, with the term's thread played by the test: it decides when
 * the answers of the moves it sent are taken in, so a race can be set up exactly.
 */
class AssignerTest extends ZkTestBase {

    @Test
    void aRefusedChunkPutsItsOtherMovesBackWithoutReplacingATasksNewerPointer() throws Exception {
        ClusterContext ctx = context("w1"); // the leader assigns to itself
        CuratorFramework client = ctx.client();
        ZPaths paths = ctx.paths();
        client.create().creatingParentsIfNeeded().forPath(paths.agents());
        client.create().forPath(paths.epoch(), "4".getBytes(StandardCharsets.UTF_8));
        TaskLayout.ensure(client, paths);
        Membership membership = closeLater(new Membership(ctx));
        membership.start();
        closeLater(new AgentRegistry(ctx, new AgentInfo("w1", "host", 1, System.currentTimeMillis(), 10, Set.of(),
                "dev", null, true, Set.of("job")))).start();
        await().atMost(WAIT).until(() -> membership.isAlive("w1"));

        TaskStore store = new TaskStore(client, paths);
        TermEvents events = new TermEvents();
        FencedWriter writer = FencedWriter.forTerm(store, epoch4(), events);
        DispatchView view = new DispatchView(client, paths, WAIT);
        Assigner assigner = new Assigner(store, membership,
                new AssignmentPlanner(AssignmentStrategies.capacityWeighted()), view, writer, WAIT, new TaskMetrics());
        // Task u is pending for real. Tasks a and t have stale entries: their pointers were moved by earlier moves of
        // this term, the tasks ran and failed; a's retry is not announced yet, t's is about to be. The chunk is
        // refused at a's move (the first in order), which the answer names; t's move is put back.
        PendingEntry staleA = new PendingEntry(500, 0, "19a2339917f-00000000000a", false);
        PendingEntry staleT = new PendingEntry(500, 0, "19a2339917f-00000000000b", false);
        PendingEntry u = new PendingEntry(500, 0, "19a2339917f-00000000000c", false);
        PendingEntry retriedT = new PendingEntry(400, 0, staleT.taskId(), false);
        client.create().forPath(paths.pendingPointer(u.taskId(), u.name()));
        client.create().forPath(paths.pendingPointer(retriedT.taskId(), retriedT.name()));
        view.addPointer(staleA.name());
        view.addPointer(staleT.name());
        view.addPointer(u.name());

        assertThat(assigner.assignIfRoom()).isEqualTo(3); // one chunk, refused as a whole
        view.addPointer(retriedT.name()); // t's retry announced, read while the chunk is out
        await().atMost(WAIT).until(() -> {
            events.runQueued(); // as the term's loop does: takes in the chunk's answer
            return view.inFlightCount("w1") == 0;
        });

        assertThat(view.pending().next(10, labels -> true)).containsExactlyInAnyOrder(u, retriedT);
        assertThat(client.checkExists().forPath(paths.assignment("w1", u.taskId()))).isNull();
    }

    private static LeaderContext epoch4() {
        return new LeaderContext() {
            @Override
            public long epoch() {
                return 4;
            }

            @Override
            public String agentId() {
                return "w1";
            }

            @Override
            public boolean isLeader() {
                return true;
            }
        };
    }
}
