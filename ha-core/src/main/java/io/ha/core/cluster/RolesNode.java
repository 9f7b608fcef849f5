package io.ha.core.cluster;

import io.ha.core.HaException;
import io.ha.core.internal.ZPaths;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The cluster's {@code /roles} node: the roles its agents were given, published by the first agent so that every
 * process can check it was given the same ones. Every process gets its roles from its own configuration, never from
 * this node (a node is only as trustworthy as whoever could write it first); the node only catches a process that
 * was given other roles, or none, in a cluster that has them: its nodes would get ACLs the others cannot use.
 *
 * <p>Guarantee: {@link #check} and {@link #publish} return only when this process's roles (or their absence) agree with the node;
 * otherwise it throws {@link HaException} naming the difference and the fix. Not guaranteed: that processes started
 * before a change of roles follow it; {@code ha-ctl secure --roles-file} publishes new roles and re-applies the ACLs.
 */
final class RolesNode {
    private final CuratorFramework client;
    private final ZPaths paths;
    private final String clusterName;

    RolesNode(CuratorFramework client, ZPaths paths, String clusterName) {
        this.client = client;
        this.paths = paths;
        this.clusterName = clusterName;
    }

    /**
     * Checks {@code roles} (null: none configured) against the node when it exists; reads only, before anything is
     * written.
     */
    void check(Roles roles, Credentials credentials, ClusterRole role) throws Exception {
        if (roles != null) {
            checkOwnRole(roles, credentials, role);
        }
        byte[] published = read(credentials);
        if (roles == null && published != null) {
            throw new HaException("cluster '" + clusterName + "' has roles (" + paths.roles() + "), and this process "
                    + "was given none: give it the cluster's roles file (agent key zk.roles.file, ha-ctl --roles-file "
                    + "or HA_ZK_ROLES_FILE, HaClusterBuilder.roles); nodes it made without them would be unusable to "
                    + "the others");
        }
        if (roles != null && published != null) {
            compare(roles, published);
        }
    }

    /** An agent's part once the cluster is laid out: publishes the roles when no agent has yet, else compares. */
    void publish(Roles roles, Credentials credentials) throws Exception {
        byte[] published = read(credentials);
        if (published != null) {
            compare(roles, published); // the usual start: a read, no write
            return;
        }
        try {
            client.create().forPath(paths.roles(), roles.toText().getBytes(StandardCharsets.UTF_8));
        } catch (KeeperException.NodeExistsException e) {
            compare(roles, read(credentials)); // published meanwhile
        }
    }

    private byte[] read(Credentials credentials) throws Exception {
        try {
            return client.getData().forPath(paths.roles());
        } catch (KeeperException.NoNodeException e) {
            return null;
        } catch (KeeperException.NoAuthException e) {
            throw new HaException("cluster '" + clusterName + "' has roles (" + paths.roles() + ") that the "
                    + "identity of user '" + (credentials == null ? "(none)" : credentials.user()) + "' may not "
                    + "read: it is not one of the cluster's agents, submitters or readers", e);
        }
    }

    private void compare(Roles roles, byte[] published) {
        Roles theirs;
        try {
            theirs = Roles.parse(new String(published, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new HaException("cluster '" + clusterName + "' has unreadable roles at " + paths.roles() + ": "
                    + e.getMessage() + "; publish the right ones with 'ha-ctl secure --roles-file FILE'", e);
        }
        if (!theirs.equals(roles)) {
            throw new HaException("the roles given to this process differ from those cluster '" + clusterName
                    + "' has (" + paths.roles() + "): " + difference(roles, theirs) + "; give every process the "
                    + "same roles file, or publish new roles with 'ha-ctl secure --roles-file FILE'");
        }
    }

    private void checkOwnRole(Roles roles, Credentials credentials, ClusterRole role) {
        if (credentials == null) {
            throw new HaException("roles need ZooKeeper credentials: this process has none");
        }
        Roles.Role own = roles.roleOf(credentials).orElseThrow(() -> new HaException("the credentials of user '"
                + credentials.user() + "' are not listed in the roles of cluster '" + clusterName + "' (or their "
                + "password differs: 'ha-ctl digest " + credentials.user() + "' prints the line to list)"));
        if (role == ClusterRole.MEMBER && own != Roles.Role.AGENT) {
            throw new HaException("user '" + credentials.user() + "' has the " + own.name().toLowerCase()
                    + " role in cluster '" + clusterName + "': only an agent identity may join as an agent");
        }
    }

    /** Which users each side lists that the other does not, per role: names only, never digests. */
    static String difference(Roles ours, Roles theirs) {
        StringBuilder sb = new StringBuilder();
        List<Roles.Role> order = List.of(Roles.Role.values());
        for (Roles.Role r : order) {
            TreeSet<String> mine = users(ours, r);
            TreeSet<String> other = users(theirs, r);
            TreeSet<String> onlyMine = new TreeSet<>(mine);
            onlyMine.removeAll(other);
            TreeSet<String> onlyTheirs = new TreeSet<>(other);
            onlyTheirs.removeAll(mine);
            String name = r.name().toLowerCase();
            if (!onlyMine.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : "; ").append(name).append(" only here: ").append(onlyMine);
            }
            if (!onlyTheirs.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : "; ").append(name).append(" only in the cluster: ")
                        .append(onlyTheirs);
            }
        }
        return sb.length() == 0 ? "the same users with other passwords" : sb.toString();
    }

    private static TreeSet<String> users(Roles roles, Roles.Role role) {
        TreeSet<String> users = new TreeSet<>();
        (switch (role) {
            case AGENT -> roles.agents();
            case SUBMITTER -> roles.submitters();
            case READER -> roles.readers();
        }).forEach(id -> users.add(Roles.user(id)));
        return users;
    }
}
