package io.ha.core.internal;

import com.google.common.base.Preconditions;
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
