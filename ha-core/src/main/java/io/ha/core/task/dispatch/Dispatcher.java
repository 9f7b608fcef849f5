package io.ha.core.task.dispatch;

import io.ha.core.leader.LeaderContext;
import io.ha.core.leader.LeaderService;
import io.ha.core.membership.Membership;
import io.ha.core.session.EventTimeline;
import io.ha.core.task.AssignmentStrategy;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.store.PendingLog;
import io.ha.core.task.store.TaskStore;
import java.time.Duration;

/**
 * The leader-only side of the task queue: hands pending tasks to agents and takes back the tasks of agents that are
 * gone. Runs as a {@link LeaderService}, so at most one dispatcher works at a time; every transaction it commits
 * also checks the version of {@code /epoch} it saw when its term began, so a deposed leader's late writes fail.
 *
 * <p>Each term starts by rebuilding its view from ZooKeeper (pending pointers, assignments) and by reassigning the
 * assignments of agents that are not alive (orphans of a leader that died mid-way), then follows changes through
 * persistent recursive watches: on {@code /assigned}, and on {@code /pending-log}, where every transaction that adds
 * or removes pending pointers announces them ({@link PendingLog}), one node per transaction instead of one event
 * per pointer created and deleted.
 *
 * <p>Guarantees: a task leaves {@code /pending} for at most one agent, an agent is never given more tasks than its
 * capacity as the leader's view counts them, and the tasks of an agent whose session ended go back to pending (or to
 * DEAD) once per assignment. Not guaranteed: placement on the newest information (the view may lag ZooKeeper; a stale
 * move is refused by its fenced transaction and the task placed again), nor an order of execution: tasks are offered
 * by priority, then age, but agents run them concurrently.
 *
 * <p>The parts of a term: {@link DispatchTerm} (its event loop), {@link DispatchView} (what it knows of ZooKeeper),
 * {@link PendingLogFollower} (the announcements), {@link AssignmentPlanner} (the choice of agents, pure),
 * {@link Assigner} (the rounds and their transactions), {@link OrphanReclaimer} (tasks of agents that are gone) and
 * {@link FencedWriter} (the one way they write).
 */
public final class Dispatcher implements LeaderService {
    private final TaskStore store;
    private final Membership membership;
    private final AssignmentStrategy strategy;
    private final Duration readTimeout;
    private final TaskMetrics metrics;
    private final EventTimeline timeline;

    /** @param timeline where each term records {@code REASSIGNED} when it takes back a departed agent's tasks */
    public Dispatcher(TaskStore store, Membership membership, AssignmentStrategy strategy, Duration readTimeout,
                      TaskMetrics metrics, EventTimeline timeline) {
        this.store = store;
        this.membership = membership;
        this.strategy = strategy;
        this.readTimeout = readTimeout;
        this.metrics = metrics;
        this.timeline = timeline;
    }

    /** Runs one term until it is interrupted or deposed; stands down at once when the epoch has moved on. */
    @Override
    public void lead(LeaderContext ctx) throws Exception {
        TermEvents events = new TermEvents();
        FencedWriter writer = FencedWriter.forTerm(store, ctx, events);
        if (writer == null) {
            return;
        }
        new DispatchTerm(store, membership, strategy, readTimeout, metrics, writer, events, timeline).run();
    }
}
