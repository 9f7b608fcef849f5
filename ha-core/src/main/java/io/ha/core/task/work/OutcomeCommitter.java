package io.ha.core.task.work;

import com.google.common.util.concurrent.Striped;
import com.google.common.util.concurrent.Uninterruptibles;
import io.ha.core.CorruptDataException;
import io.ha.core.Names;
import io.ha.core.internal.GroupCommit;
import io.ha.core.internal.Json;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.TaskStore;
import io.ha.core.task.store.Versioned;
import java.io.Closeable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what a worker decided: claims and outcomes, each one transaction that checks the assignment's version (so it
 * is still this agent's) and the record's, committed together with the other tasks' transactions ready at the same
 * moment ({@link GroupCommit}). Logs each state change once (INFO, DEBUG for a success).
 *
 * <p>Guarantees: an outcome is recorded only while this agent holds the assignment at the version it last saw; a
 * refused check (a zombie, a task taken away) records nothing and is only logged. Not guaranteed: that an outcome
 * whose commit lost its connection was not applied; the task then stays assigned and runs again if it still is.
 */
final class OutcomeCommitter implements Closeable {
    /** The worker's logger: the parts of the worker log as it always did. */
    private static final Logger LOG = LoggerFactory.getLogger(AgentWorker.class);
    /** Tries of an outcome whose group checks are refused by other members' outcomes before it gives up. */
    private static final int MAX_GROUP_TRIES = 100;

    private final ClusterContext ctx;
    private final TaskStore store;
    private final TaskMetrics metrics;
    private volatile GroupCommit commits;
    /** Held while a transaction that writes a group header is built and committed (see commitOutcome). */
    private final Object headerWrites = new Object();
    /** Held while the end of a group's member is built and committed, per shard (see commitOutcome). */
    private final Striped<Lock> shardLocks = Striped.lock(1024);
    /** Records outcomes for threads that must not block on ZooKeeper (the deadline thread): see recordLater. */
    private volatile ExecutorService later;

    OutcomeCommitter(ClusterContext ctx, TaskStore store, TaskMetrics metrics) {
        this.ctx = ctx;
        this.store = store;
        this.metrics = metrics;
    }

    /** Starts the committing thread (the worker's first registration). */
    void start() {
        commits = new GroupCommit(ctx.client(), "ha-commit-" + Names.forThreadName(ctx.agentId()));
        later = Executors.newSingleThreadExecutor(new com.google.common.util.concurrent.ThreadFactoryBuilder()
                .setNameFormat("ha-outcome-" + Names.forThreadName(ctx.agentId())).setDaemon(true).build());
    }

    /**
     * The claim of a task: checks the assignment read at {@code assignment}'s version and replaces the record read
     * at {@code read}'s version with {@code running}. The future completes on the committing thread (never block on
     * another commit there), with the results ({@link #claimedVersion}) or the refusing {@link KeeperException}.
     */
    CompletableFuture<List<CuratorTransactionResult>> claim(String taskId, Versioned<Assignment> assignment, Versioned<TaskRecord> read,
                                     TaskRecord running) throws Exception {
        List<CuratorOp> ops = List.of(
                ctx.client().transactionOp().check().withVersion(assignment.version())
                        .forPath(ctx.paths().assignment(ctx.agentId(), taskId)),
                ctx.client().transactionOp().setData().withVersion(read.version())
                        .forPath(ctx.paths().task(taskId), Json.write(running)));
        return commits.submit(ops);
    }

    /** The record's version after a confirmed {@link #claim}. */
    static int claimedVersion(List<CuratorTransactionResult> claimResults) {
        return claimResults.get(1).getResultStat().getVersion();
    }

    /**
     * Ends a task whose record cannot be parsed DEAD (a terminal record written for it) and deletes its assignment
     * at the version read, in one transaction.
     *
     * @throws Exception when that transaction fails; nothing was written then
     */
    void deadCorrupt(String taskId, int assignmentVersion, CorruptDataException problem) throws Exception {
        store.deadLetterCorrupt(taskId, problem, List.of(ctx.client().transactionOp().delete()
                .withVersion(assignmentVersion).forPath(ctx.paths().assignment(ctx.agentId(), taskId))));
        metrics.recordEnded(TaskState.DEAD);
        LOG.warn("task {} is DEAD: {}", taskId, problem.getMessage());
    }

    /** Records {@code next} for a task held by {@code rt}, at the versions it last saw. */
    void record(RunningTask rt, TaskRecord next) {
        record(rt.taskId, rt.assignment().version(), rt.record(), next);
    }

    /**
     * Like {@link #record(RunningTask, TaskRecord)}, without waiting: for threads that must not block on ZooKeeper
     * (the deadline thread). Runs on this committer's own thread (an outcome may read its group's nodes and retry);
     * the future completes, never exceptionally, once the outcome was committed, refused or given up.
     */
    CompletableFuture<Void> recordLater(RunningTask rt, TaskRecord next) {
        try {
            return CompletableFuture.runAsync(() -> record(rt, next), later);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // closing: the outcome is dropped with the worker
        }
    }

    /**
     * Records {@code next} (replacing {@code current}) if the assignment is still ours at {@code assignmentVersion};
     * a failed check means a zombie and is only logged.
     */
    void record(String taskId, int assignmentVersion, Versioned<TaskRecord> current, TaskRecord next) {
        for (int tries = 1; !record(taskId, assignmentVersion, current, next, tries < MAX_GROUP_TRIES); tries++) {
            LOG.debug("outcome {} of task {}: its group changed meanwhile; building it again (try {})", next.state(),
                    taskId, tries + 1);
            // Contenders for one group header (the last members of many shards end together) would otherwise retry
            // in lockstep; a few milliseconds of jitter lets one through per round.
            Uninterruptibles.sleepUninterruptibly(ThreadLocalRandom.current().nextInt(1 + Math.min(20, tries)),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The transaction that records {@code next}. The end of a group's member is built and committed while holding
     * this worker's lock of the member's shard, so two of this worker's outcomes never contend for one shard (nor
     * make a whole {@link GroupCommit} batch be sent again); one that also writes its group's header (the end of a
     * shard's last member: a few per group, all near its end) is built again under the header lock too. Other
     * agents' outcomes still may contend: those are retried.
     */
    private void commitOutcome(String taskId, int assignmentVersion, Versioned<TaskRecord> current, TaskRecord next)
            throws Exception {
        String assignment = ctx.paths().assignment(ctx.agentId(), taskId);
        String shard = next.state().isTerminal() && next.followUpsFor(next.state()).isEmpty()
                ? store.groupShardPath(next) : null;
        if (shard == null) {
            List<CuratorOp> ops = store.leaveAssignmentOps(assignment, assignmentVersion, current, next);
            commit(ops);
            if (next.groupId() != null) {
                store.logCommitted(ops); // the end of a join's chain ends its group
            }
            return;
        }
        Lock lock = shardLocks.get(shard);
        lock.lock();
        try {
            List<CuratorOp> ops = store.leaveAssignmentOps(assignment, assignmentVersion, current, next);
            String header = ctx.paths().group(next.groupId());
            if (ops.stream().noneMatch(op -> header.equals(op.get().getPath()))) {
                commit(ops);
                return;
            }
            synchronized (headerWrites) {
                List<CuratorOp> withHeader = store.leaveAssignmentOps(assignment, assignmentVersion, current, next);
                commit(withHeader);
                store.logCommitted(withHeader);
            }
        } finally {
            lock.unlock();
        }
    }

    /** One try of {@link #record}; false when a group check was refused and {@code mayRetry} (build it again). */
    private boolean record(String taskId, int assignmentVersion, Versioned<TaskRecord> current, TaskRecord next,
                           boolean mayRetry) {
        int attempt = current.value().attempt();
        try {
            commitOutcome(taskId, assignmentVersion, current, next);
            if (next.state().isTerminal()) {
                metrics.recordEnded(next.state());
            }
            if (next.state() == TaskState.SUCCEEDED) {
                LOG.debug("task {} SUCCEEDED on {}", taskId, ctx.agentId());
            } else {
                LOG.info("task {} attempt {} on {}: {}{}", taskId, attempt, ctx.agentId(),
                        next.state() == TaskState.PENDING ? (next.attempt() > attempt
                                ? "failed, will retry as attempt " + next.attempt() : "handed back to pending")
                                : next.state(), next.lastError() == null ? "" : " (" + next.lastError() + ")");
            }
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            if (ctx.paths().isGroupPath(e.getPath())) {
                // Another member's outcome changed the same shard or the group's header first (often one of this
                // very batch): a conflict, not a zombie.
                if (mayRetry) {
                    return false;
                }
                LOG.warn("outcome {} of task {} attempt {} not recorded: its group kept changing ({})", next.state(),
                        taskId, attempt, e.getPath());
                return true;
            }
            LOG.info("outcome {} of task {} attempt {} discarded: {} no longer holds the assignment", next.state(),
                    taskId, attempt, ctx.agentId());
        } catch (Exception e) {
            // Unknown whether it was applied (connection loss mid-commit): the task stays assigned, and runs again
            // if it still is after reconnecting; a recorded outcome is never recorded twice.
            LOG.warn("outcome of task {} not confirmed: {}", taskId, e.toString());
        }
        return true;
    }

    /**
     * Deletes an assignment whose task is not active, checked by the version read; a refusal (it changed or is gone)
     * is harmless and only logged at DEBUG.
     */
    void removeLeftover(String taskId, int assignmentVersion) {
        try {
            commit(List.of(ctx.client().transactionOp().delete().withVersion(assignmentVersion)
                    .forPath(ctx.paths().assignment(ctx.agentId(), taskId))));
        } catch (Exception e) {
            LOG.debug("task {}: {}", taskId, e.toString());
        }
    }

    /** A transaction of this worker, committed together with those of other tasks ready at the same time. */
    private List<CuratorTransactionResult> commit(List<CuratorOp> ops) throws Exception {
        try {
            return Uninterruptibles.getUninterruptibly(commits.submit(ops));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        ExecutorService l = later;
        if (l != null) {
            l.shutdownNow();
        }
        GroupCommit c = commits;
        if (c != null) {
            c.close();
        }
    }
}
