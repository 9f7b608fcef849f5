package io.ha.core.task.work;

import com.google.common.base.Preconditions;
import io.ha.core.membership.AgentRegistry;
import io.ha.core.session.ClusterContext;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.task.TaskHandler;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.Worker;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.Versioned;
import java.io.Closeable;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent side of the task queue: runs the tasks the leader assigns to this agent ({@code /assigned/<agentId>})
 * with the handler registered for their type, and records each outcome with one transaction that checks the
 * assignment is still this agent's.
 *
 * <p>How: the parts below, each with one job, composed here with the worker's life cycle ({@code LATENT} until the
 * first registration, then {@code ACCEPTING}, {@code DRAINING}, {@code CLOSED}):
 * {@link AssignmentFeed} watches the assignment directory and reads what arrives together (one read-only
 * {@code multi} per {@value AssignmentFeed#READ_BATCH} tasks); {@link Claimer} carries out the pure
 * {@link ClaimDecision} on each; {@link TaskRunner} runs the handler and computes the outcome;
 * {@link OutcomeCommitter} commits claims and outcomes through one {@code GroupCommit}; {@link Drainer} hands tasks
 * back on a drain; {@link HeldTasks} knows which tasks are held.
 *
 * <p>Guarantees: an outcome is recorded only while this agent still holds the assignment, so a zombie (an agent whose
 * session expired while its handler ran) cannot record one; when the connection can no longer be trusted, running
 * handlers are interrupted and their outcomes dropped (the task stays assigned and runs again if it is still ours
 * after reconnecting, or the leader gives it to another agent). Not guaranteed: that a handler runs only once.
 */
public final class AgentWorker implements Worker, Closeable {
    private enum State { LATENT, ACCEPTING, DRAINING, CLOSED }

    private final ClusterContext ctx;
    private final AgentRegistry registry;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Handlers handlers = new Handlers();
    private final HeldTasks held;
    private final OutcomeCommitter committer;
    private final AssignmentFeed feed;
    private final Drainer drainer;
    private final Deadlines deadlines;
    private final ConnectionGuard.Listener guardListener = this::onConnectionChange;

    public AgentWorker(ClusterContext ctx, TaskStore store, int maxResultBytes, AgentRegistry registry,
                       TaskMetrics metrics) {
        this.ctx = ctx;
        this.registry = registry;
        // The parts call back into the feed (a release that finds the task assigned again, a relist after a task was
        // abandoned), and the feed hands reads to the claimer: the cycle is closed through this object's methods.
        this.held = new HeldTasks(this::pickUpAgain);
        this.committer = new OutcomeCommitter(ctx, store, metrics);
        this.deadlines = new Deadlines(ctx.agentId());
        TaskRunner runner = new TaskRunner(handlers, held, committer, maxResultBytes, this::requestRelist, deadlines);
        Claimer claimer = new Claimer(held, committer, runner, metrics, this::asClaimant);
        this.feed = new AssignmentFeed(ctx, store, held, claimer);
        this.drainer = new Drainer(ctx, store, held, committer, feed);
    }

    /**
     * Runs tasks of {@code type} with {@code handler}, at most {@code concurrency} at once. The first registration
     * starts the worker: from then on this agent accepts tasks. Agents without a handler for a task's type end it
     * DEAD, so give agents with different handlers different labels.
     */
    @Override
    public Worker register(String type, TaskHandler handler, int concurrency) throws Exception {
        Handlers.validate(type, handler, concurrency);
        Preconditions.checkState(state.get() != State.CLOSED, "worker is closed");
        handlers.add(type, handler, concurrency);
        if (state.compareAndSet(State.LATENT, State.ACCEPTING)) {
            committer.start();
            ctx.guard().addListener(guardListener);
            feed.start();
        }
        publish();
        feed.requestRelist();
        return this;
    }

    /** Total task slots (sum of the registered concurrencies). */
    @Override
    public int capacity() {
        return handlers.capacity();
    }

    /** Ids of the tasks this worker holds right now. */
    @Override
    public Set<String> runningTasks() {
        return held.ids();
    }

    /** Progress of the tasks this worker holds (task id to percent, -1 when not reported). */
    @Override
    public Map<String, Integer> progress() {
        Map<String, Integer> out = new TreeMap<>();
        for (RunningTask rt : held.all()) {
            Versioned<Assignment> a = rt.assignment();
            out.put(rt.taskId, a == null ? -1 : a.value().progress());
        }
        return out;
    }

    @Override
    public boolean isAccepting() {
        return state.get() == State.ACCEPTING;
    }

    /**
     * Stops taking tasks, lets running ones finish for up to {@code timeout}, then interrupts the rest and hands
     * every task it still holds back to pending at once. The worker stays registered but no longer accepts tasks.
     */
    @Override
    public void drain(Duration timeout) throws Exception {
        if (!state.compareAndSet(State.ACCEPTING, State.DRAINING)) {
            return;
        }
        publish();
        drainer.drain(timeout);
    }

    /** Stops at once: running handlers are interrupted and their outcomes dropped; the leader reassigns them. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        ctx.guard().removeListener(guardListener);
        // Pickups are refused from here on, so a handler stopped below does not queue a listing on a closing feed.
        feed.stopWatching();
        held.all().forEach(rt -> rt.stop(false));
        deadlines.close();
        feed.close();
        handlers.shutdownNow();
        committer.close();
    }

    private void publish() throws Exception {
        boolean accepting = state.get() == State.ACCEPTING;
        registry.update(registry.info().withWorker(accepting, Math.max(1, capacity()), handlers.types()));
    }

    /** This agent as a claim sees it now. */
    private ClaimDecision.Agent asClaimant() {
        return new ClaimDecision.Agent(ctx.agentId(), registry.info().labels(), state.get() == State.ACCEPTING,
                handlers.types());
    }

    private void onConnectionChange(ConnectionGuard.State newState, boolean safe) {
        if (!safe) {
            held.all().forEach(rt -> rt.stop(false));
        } else {
            feed.requestRelist();
        }
    }

    private void pickUpAgain(String taskId) {
        feed.pickUpAgain(taskId);
    }

    private void requestRelist() {
        feed.requestRelist();
    }
}
