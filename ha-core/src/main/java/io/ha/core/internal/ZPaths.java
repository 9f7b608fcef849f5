package io.ha.core.internal;

import com.google.common.base.Preconditions;
import io.ha.core.Names;
import java.util.List;
import org.apache.curator.utils.ZKPaths;

/**
 * Builds every znode path of one cluster. Nothing else in the code base concatenates {@code /}: a reader finds the
 * whole layout (see DESIGN.md section 2) here.
 *
 * <p>Names passed in must already have been validated with {@link Names}.
 */
public final class ZPaths {
    private final String clusterRoot;

    public ZPaths(String rootPath, String clusterName) {
        Preconditions.checkArgument(rootPath.startsWith("/"), "root path must start with '/': %s", rootPath);
        this.clusterRoot = ZKPaths.makePath(rootPath, clusterName);
    }

    /** {@code /ha/<cluster>}. */
    public String clusterRoot() {
        return clusterRoot;
    }

    /** Parent of every agent's ephemeral registration node. */
    public String agents() {
        return ZKPaths.makePath(clusterRoot, "agents");
    }

    public String agent(String agentId) {
        return ZKPaths.makePath(agents(), agentId);
    }

    /** LeaderLatch participants. */
    public String leader() {
        return ZKPaths.makePath(clusterRoot, "leader");
    }

    /** The leader epoch: a decimal counter that every new leader bumps with a versioned write. */
    public String epoch() {
        return ZKPaths.makePath(clusterRoot, "epoch");
    }

    public String locks() {
        return ZKPaths.makePath(clusterRoot, "locks");
    }

    /** Parent of one lock's InterProcessMutex nodes; kept PERSISTENT so its sequence numbers never restart. */
    public String lock(String lockName) {
        return ZKPaths.makePath(locks(), lockName);
    }

    /** Parent of the active task records, bucketed: {@code /tasks/<bucket>/<taskId>}. */
    public String tasks() {
        return ZKPaths.makePath(clusterRoot, "tasks");
    }

    public String tasksBucket(String bucket) {
        return ZKPaths.makePath(tasks(), bucket);
    }

    public String task(String taskId) {
        return ZKPaths.makePath(tasks(), Buckets.of(taskId), taskId);
    }

    /** Pointers to tasks waiting for assignment, bucketed: {@code /pending/<bucket>/<pointer>}. */
    public String pending() {
        return ZKPaths.makePath(clusterRoot, "pending");
    }

    public String pendingBucket(String bucket) {
        return ZKPaths.makePath(pending(), bucket);
    }

    public String pendingPointer(String taskId, String pointerName) {
        return ZKPaths.makePath(pending(), Buckets.of(taskId), pointerName);
    }

    /**
     * Announcements of pointers added to or removed from {@code /pending} outside the leader
     * ({@code /pending-log/<bucket>/a-<seq>}, one per transaction), so that the leader follows one node per transaction
     * instead of watching every pointer. Bucketed like {@code /pending}: announcements pile up while no leader runs.
     */
    public String pendingLog() {
        return ZKPaths.makePath(clusterRoot, "pending-log");
    }

    public String pendingLogBucket(String bucket) {
        return ZKPaths.makePath(pendingLog(), bucket);
    }

    /** An announcement by its path below {@link #pendingLog()}: {@code <bucket>/<name>}. */
    public String pendingLogEntry(String bucketAndName) {
        return ZKPaths.makePath(pendingLog(), bucketAndName);
    }

    /** The name of an announcement below {@link #pendingLog()}, as {@link #pendingLogEntry} takes it. */
    public static String pendingLogName(String bucket, String name) {
        return bucket + "/" + name;
    }

    /** The prefix of the sequential announcement nodes created in one bucket of {@link #pendingLog()}. */
    public String pendingLogPrefix(String bucket, String prefix) {
        return ZKPaths.makePath(pendingLog(), bucket, prefix);
    }

    /** Cluster-wide limits per task type: {@code /limits/<type>}, read and enforced by the dispatcher. */
    public String limits() {
        return ZKPaths.makePath(clusterRoot, "limits");
    }

    public String limit(String type) {
        return ZKPaths.makePath(limits(), type);
    }

    /** Per-agent assignment directories: {@code /assigned/<agentId>/<taskId>}. */
    public String assigned() {
        return ZKPaths.makePath(clusterRoot, "assigned");
    }

    public String assignedDir(String agentId) {
        return ZKPaths.makePath(assigned(), agentId);
    }

    public String assignment(String agentId, String taskId) {
        return ZKPaths.makePath(assigned(), agentId, taskId);
    }

    /** Terminal records by state, bucketed: {@code /done/<STATE>/<bucket>/<taskId>}. */
    public String done() {
        return ZKPaths.makePath(clusterRoot, "done");
    }

    public String doneState(String state) {
        return ZKPaths.makePath(done(), state);
    }

    public String doneBucket(String state, String bucket) {
        return ZKPaths.makePath(done(), state, bucket);
    }

    public String doneRecord(String state, String taskId) {
        return ZKPaths.makePath(done(), state, Buckets.of(taskId), taskId);
    }

    /** Idempotency keys: {@code /keys/<bucket>/<sha256(key)>} holding the task id. */
    public String keys() {
        return ZKPaths.makePath(clusterRoot, "keys");
    }

    public String keysBucket(String bucket) {
        return ZKPaths.makePath(keys(), bucket);
    }

    public String key(String keyHash) {
        return ZKPaths.makePath(keys(), Buckets.of(keyHash), keyHash);
    }

    /** Marker node: the bucket directories of the task queue exist (they are created once per cluster). */
    public String taskLayoutMarker() {
        return ZKPaths.makePath(clusterRoot, "task-layout");
    }

    /**
     * Fan-in groups, bucketed: {@code /groups/<bucket>/<groupId>} (the header) with its shards
     * {@code /groups/<bucket>/<groupId>/s-<k>} (the members' outcomes).
     */
    public String groups() {
        return ZKPaths.makePath(clusterRoot, "groups");
    }

    public String groupsBucket(String bucket) {
        return ZKPaths.makePath(groups(), bucket);
    }

    public String group(String groupId) {
        return ZKPaths.makePath(groups(), Buckets.of(groupId), groupId);
    }

    public String groupShard(String groupId, int shard) {
        return ZKPaths.makePath(group(groupId), "s-" + shard);
    }

    /** Whether {@code path} is a group's header or shard (a refused check there is a conflict, not a zombie). */
    public boolean isGroupPath(String path) {
        return path != null && !below(groups(), path).isEmpty();
    }

    /** Commands for one agent (such as a remote drain), written by tools and watched by that agent. */
    public String control(String agentId) {
        return ZKPaths.makePath(controls(), agentId);
    }

    /** Parent of the agents' control nodes. */
    public String controls() {
        return ZKPaths.makePath(clusterRoot, "control");
    }

    /** The cluster's roles as the agents were given them (digest identities per role), for clients to compare. */
    public String roles() {
        return ZKPaths.makePath(clusterRoot, "roles");
    }

    /**
     * Per agent id, the identity that first registered it: {@code /bindings/<agentId>}, which only that identity may
     * add children to. Used only when the cluster has roles.
     */
    public String bindings() {
        return ZKPaths.makePath(clusterRoot, "bindings");
    }

    public String binding(String agentId) {
        return ZKPaths.makePath(bindings(), agentId);
    }

    /** The ephemeral node of the session that holds {@code /agents/<agentId>}, below its binding. */
    public String bindingSession(String agentId) {
        return ZKPaths.makePath(bindings(), agentId, "session");
    }

    /** Schedule definitions with their last fire time: {@code /schedules/<name>}. */
    public String schedules() {
        return ZKPaths.makePath(clusterRoot, "schedules");
    }

    public String schedule(String name) {
        return ZKPaths.makePath(schedules(), name);
    }

    /**
     * The segments of {@code path} below {@code parent} ({@code /a/b/c} below {@code /a} is {@code [b, c]}), or an
     * empty list when {@code path} is not strictly below {@code parent}. The one place that decides whether a path
     * reported by a watch lies below a directory, and at which depth.
     */
    public static List<String> below(String parent, String path) {
        if (path == null || path.length() <= parent.length() + 1 || !path.startsWith(parent)
                || path.charAt(parent.length()) != '/') {
            return List.of();
        }
        return List.of(path.substring(parent.length() + 1).split("/", -1));
    }

    /** The name of {@code path} when it is a direct child of {@code parent}, else null. */
    public static String childName(String parent, String path) {
        List<String> segments = below(parent, path);
        return segments.size() == 1 ? segments.get(0) : null;
    }

    /** The last segment of a path: a child's name. */
    public static String nodeName(String path) {
        return ZKPaths.getNodeFromPath(path);
    }

    /**
     * The sequence number ZooKeeper appended to a sequential node's name (its last ten digits).
     *
     * @throws IllegalArgumentException when the name carries no sequence suffix
     */
    public static long sequenceOf(String path) {
        String name = nodeName(path);
        Preconditions.checkArgument(name.length() >= 10, "not a sequential node: %s", path);
        String digits = name.substring(name.length() - 10);
        for (int i = 0; i < digits.length(); i++) {
            Preconditions.checkArgument(Character.isDigit(digits.charAt(i)), "not a sequential node: %s", path);
        }
        return Long.parseLong(digits);
    }
}
