package io.ha.core.task.store;

import com.google.common.hash.Hashing;
import io.ha.core.CorruptDataException;
import io.ha.core.internal.Buckets;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.TaskEvent;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.TaskTemplate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Every task state change as one ZooKeeper {@code multi()} with version checks (DESIGN.md section 3). A crash at any
 * instant leaves each task in exactly one place: its record in {@code /tasks} plus either a pending pointer or an
 * assignment, or its terminal record in {@code /done}. The record in {@code /tasks} is deleted (with a version check)
 * by every terminal transition, so at most one outcome is ever recorded per task.
 */
public final class TaskStore {
    /** Reads of group nodes inside a transition (a join's creation reads every shard at once). */
    private static final long GROUP_READ_TIMEOUT_MS = 15_000;

    private final CuratorFramework client;
    private final ZPaths paths;
    private final GroupStore groups;
    private final GroupOutcome groupOutcome;

    public TaskStore(CuratorFramework client, ZPaths paths) {
        this.client = client;
        this.paths = paths;
        this.groups = new GroupStore(client, paths, GROUP_READ_TIMEOUT_MS);
        this.groupOutcome = new GroupOutcome(this, groups, GROUP_READ_TIMEOUT_MS);
    }

    /**
     * The shard node that the end of {@code record} (a group's member or a step of its chain) writes, or null for a
     * task outside a group, a join, or a group that is gone.
     */
    public String groupShardPath(TaskRecord record) throws Exception {
        return groupOutcome.shardPath(record);
    }

    /** Logs the group change (join created, group ENDED) of a transaction built here, once it has applied. */
    public void logCommitted(List<CuratorOp> ops) {
        groupOutcome.logCommitted(ops);
    }

    /** The group nodes of this store's cluster. */
    public GroupStore groups() {
        return groups;
    }

    public CuratorFramework client() {
        return client;
    }

    public ZPaths paths() {
        return paths;
    }

    public static String keyHash(String idempotencyKey) {
        return Hashing.sha256().hashString(idempotencyKey, StandardCharsets.UTF_8).toString();
    }

    // ---- submit ----

    /**
     * Operations that store a new task: record, pending pointer and (if any) its idempotency key. The caller adds one
     * {@link #announceOp} for all the pointers of its transaction.
     */
    public List<CuratorOp> submitOps(TaskRecord record, byte[] encoded) throws Exception {
        List<CuratorOp> ops = new ArrayList<>(3);
        ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(paths.task(record.id()),
                encoded));
        ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                .forPath(paths.pendingPointer(record.id(), PendingEntry.pointerNameOf(record))));
        if (record.idempotencyKey() != null) {
            ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                    .forPath(paths.key(keyHash(record.idempotencyKey())),
                            record.id().getBytes(StandardCharsets.UTF_8)));
        }
        return ops;
    }

    /**
     * The announcement of pointers a transaction adds to or removes from {@code /pending} (see {@link PendingLog}):
     * one sequential node under {@code /pending-log}, created in that same transaction, so the leader hears of a
     * whole transaction's pointers with one watch event.
     */
    public CuratorOp announceOp(List<String> added, List<String> removed) throws Exception {
        String bucket = Buckets.all().get(java.util.concurrent.ThreadLocalRandom.current().nextInt(Buckets.COUNT));
        return client.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(paths.pendingLogPrefix(bucket, PendingLog.PREFIX), PendingLog.encode(added, removed));
    }

    /** The task id stored under an idempotency key, or null. */
    public String taskIdForKey(String idempotencyKey) throws Exception {
        try {
            return new String(client.getData().forPath(paths.key(keyHash(idempotencyKey))), StandardCharsets.UTF_8);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    // ---- reads ----

    /** The active record with its version, or null when the task is not active (unknown or terminal). */
    public Versioned<TaskRecord> readActive(String taskId) throws Exception {
        String path = paths.task(taskId);
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        return new Versioned<>(Json.read(path, data, TaskRecord.class), stat.getVersion());
    }

    /** The terminal record, or null when the task has none (yet). */
    public TaskRecord readDone(String taskId) throws Exception {
        Versioned<TaskRecord> done = readDoneVersioned(taskId);
        return done == null ? null : done.value();
    }

    /** The terminal record with its version (a transition out of it checks it), or null when there is none. */
    public Versioned<TaskRecord> readDoneVersioned(String taskId) throws Exception {
        for (TaskState state : TaskState.values()) {
            if (!state.isTerminal()) {
                continue;
            }
            String path = paths.doneRecord(state.name(), taskId);
            Stat stat = new Stat();
            try {
                return new Versioned<>(Json.read(path, client.getData().storingStatIn(stat).forPath(path),
                        TaskRecord.class), stat.getVersion());
            } catch (KeeperException.NoNodeException e) {
                // Not in this state: look at the next.
            }
        }
        return null;
    }

    public Versioned<Assignment> readAssignment(String agentId, String taskId) throws Exception {
        String path = paths.assignment(agentId, taskId);
        Stat stat = new Stat();
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(path);
            return new Versioned<>(Json.read(path, data, Assignment.class), stat.getVersion());
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    // ---- leader: assignment ----

    /**
     * Moves one pending task to an agent: its pointer leaves {@code /pending} and an assignment appears under the
     * agent, in one transaction. The record is not touched (the agent marks it RUNNING when it claims the task), so
     * the leader places tasks without reading them; the pointer's delete is the check that the task is still pending
     * (a cancel or another assignment deletes it first), and {@code epochVersion} fences a deposed leader. The
     * assignment records the task's type and concurrency key, so a new leader counts it against the limits.
     */
    public List<CuratorOp> assignOps(PendingEntry entry, String agentId, long epoch, long now, String type,
                                     String concurrencyKey) throws Exception {
        Assignment assignment = new Assignment(entry.taskId(), agentId, 0, epoch, now, -1, null, type,
                concurrencyKey);
        return List.of(
                client.transactionOp().delete().forPath(paths.pendingPointer(entry.taskId(), entry.name())),
                client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                        .forPath(paths.assignment(agentId, entry.taskId()), Json.write(assignment)));
    }

    public CuratorOp epochCheck(int epochVersion) throws Exception {
        return client.transactionOp().check().withVersion(epochVersion).forPath(paths.epoch());
    }

    public List<CuratorTransactionResult> commit(List<CuratorOp> ops) throws Exception {
        return client.transaction().forOperations(ops);
    }

    // ---- transitions out of an assignment ----

    /** Ops that take a task out of {@code assignmentPath} and record {@code next} (terminal or pending again). */
    public List<CuratorOp> leaveAssignmentOps(String assignmentPath, int assignmentVersion, Versioned<TaskRecord> current,
                                       TaskRecord next) throws Exception {
        List<CuratorOp> ops = new ArrayList<>(4);
        ops.add(client.transactionOp().delete().withVersion(assignmentVersion).forPath(assignmentPath));
        ops.addAll(recordOps(current, next));
        return ops;
    }

    /**
     * Ops that replace {@code current} (checked by version) with {@code next}: a terminal record moves to
     * {@code /done}, a pending one gets its pointer back. The end of a group's task also updates its group (read
     * now, written with version checks): a refusal on a path for which {@code ZPaths.isGroupPath} holds means
     * "build again", not "no longer yours".
     */
    public List<CuratorOp> recordOps(Versioned<TaskRecord> current, TaskRecord next) throws Exception {
        String taskPath = paths.task(next.id());
        if (next.state().isTerminal()) {
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(client.transactionOp().delete().withVersion(current.version()).forPath(taskPath));
            TaskRecord done = next;
            List<TaskTemplate> followUps = next.followUpsFor(next.state());
            if (!followUps.isEmpty()) {
                // Created in the very transaction that records the outcome: a crash either keeps both or neither,
                // and a zombie whose outcome is refused creates no follow-ups either.
                long now = System.currentTimeMillis();
                byte[] input = next.state() == TaskState.SUCCEEDED ? next.result()
                        : next.lastError() == null ? null : next.lastError().getBytes(StandardCharsets.UTF_8);
                List<String> ids = new ArrayList<>();
                List<String> pointers = new ArrayList<>();
                for (TaskTemplate template : followUps) {
                    TaskRecord child = TaskRecord.followUp(TaskIds.newId(now), template, next, input, now);
                    ids.add(child.id());
                    pointers.add(PendingEntry.pointerNameOf(child));
                    ops.addAll(submitOps(child, Json.write(child)));
                }
                ops.add(announceOp(pointers, List.of()));
                done = next.withChildren(ids);
            } else if (next.groupId() != null) {
                // The end of a member's chain (or of the join's): counted in its group in this same transaction,
                // which may create the join. Refused group checks are conflicts: the caller builds these again.
                ops.addAll(groupOutcome.endOps(next));
            }
            ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                    .forPath(paths.doneRecord(done.state().name(), done.id()), Json.write(done)));
            return ops;
        }
        List<CuratorOp> ops = new ArrayList<>(3);
        ops.add(client.transactionOp().setData().withVersion(current.version()).forPath(taskPath, Json.write(next)));
        if (next.state() == TaskState.PENDING) {
            ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                    .forPath(paths.pendingPointer(next.id(), PendingEntry.pointerNameOf(next))));
            ops.add(announceOp(List.of(PendingEntry.pointerNameOf(next)), List.of()));
        }
        return ops;
    }

    /**
     * Ops that put a terminal task back to pending ({@code TaskQueue.retry}): delete its terminal record at the
     * version read (a concurrent retry or prune makes the transaction fail as a whole), create the active record
     * {@code revived} and its pointer. Its idempotency key node, if any, stays: it still maps to the same id. The
     * caller adds one {@link #announceOp} for the pointers of its transaction.
     */
    public List<CuratorOp> reviveOps(TaskState endedIn, int doneVersion, TaskRecord revived) throws Exception {
        return List.of(
                client.transactionOp().delete().withVersion(doneVersion)
                        .forPath(paths.doneRecord(endedIn.name(), revived.id())),
                client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                        .forPath(paths.task(revived.id()), Json.write(revived)),
                client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                        .forPath(paths.pendingPointer(revived.id(), PendingEntry.pointerNameOf(revived))));
    }

    /**
     * Sends a task whose record cannot be read to DEAD, keeping the raw bytes' problem as the error; every other
     * task is unaffected.
     */
    public void deadLetterCorrupt(String taskId, CorruptDataException problem, List<CuratorOp> alsoDelete)
            throws Exception {
        Stat stat = client.checkExists().forPath(paths.task(taskId));
        long now = System.currentTimeMillis();
        TaskRecord dead = new TaskRecord(taskId, "unknown", null, 0, 1, 0, 0, null, null,
                stat == null ? now : stat.getCtime(), TaskState.DEAD, 1, null, 0,
                "corrupt task record: " + problem.getMessage(), null,
                List.of(new TaskEvent(now, TaskState.DEAD, 1, null, "corrupt task record")), null, null, null, null,
                null, 0, null, null, 0, 1);
        List<CuratorOp> ops = new ArrayList<>(alsoDelete);
        if (stat != null) {
            ops.add(client.transactionOp().delete().withVersion(stat.getVersion()).forPath(paths.task(taskId)));
        }
        ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                .forPath(paths.doneRecord(TaskState.DEAD.name(), taskId), Json.write(dead)));
        client.transaction().forOperations(ops);
    }
}
