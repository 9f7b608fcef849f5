package io.ha.core.cluster;

import io.ha.core.HaException;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.store.TaskLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Lays out a cluster's top-level nodes on start (agents, leader, locks, epoch, and the task queue's bucket
 * directories) and checks that this process may read the cluster's root. With credentials, it first checks that
 * no one else can change the path to the cluster ({@link RootAclCheck}: refused before anything is written), and
 * checks again after creating missing nodes (a stranger could have created a parent in between).
 *
 * <p>Guarantee: idempotent and safe when members start at the same time (a node made by another member meanwhile is
 * fine); the usual start, of a cluster laid out long ago, writes nothing. Errors name the cause: credentials this
 * process lacks (NoAuth), or a chroot that does not exist. Not guaranteed: that the nodes stay; a node deleted by
 * hand later is not re-created until the next start.
 */
final class ClusterLayout {
    private final CuratorFramework client;
    private final ZPaths paths;
    private final String clusterName;
    private final String connectString;
    private final RootAclCheck rootAcl;
    private final Roles roles;
    private final Credentials credentials;
    private final ClusterRole role;

    ClusterLayout(CuratorFramework client, ZPaths paths, ClusterConfig config, String connectString) {
        this.client = client;
        this.paths = paths;
        this.clusterName = config.clusterName();
        this.connectString = connectString;
        this.roles = config.roles();
        this.credentials = config.credentials();
        this.role = config.role();
        this.rootAcl = credentials == null ? null : new RootAclCheck(client, paths.clusterRoot(), clusterName,
                credentials, trusted(credentials, roles));
    }

    private static Set<String> trusted(Credentials credentials, Roles roles) {
        Set<String> trusted = new HashSet<>(roles == null ? Set.of() : roles.agents());
        trusted.add(credentials.digestId());
        return trusted;
    }

    /** The cluster's own nodes; the task queue's directories follow with {@link #ensureTaskLayout()}. */
    void ensure() throws Exception {
        RolesNode rolesNode = new RolesNode(client, paths, clusterName);
        rolesNode.check(roles, credentials, role); // reads only: refuses before the checks below name ACLs
        if (rootAcl != null) {
            rootAcl.check();
        }
        List<String> dirs = new ArrayList<>(List.of(paths.agents(), paths.leader(), paths.locks()));
        if (roles != null && role == ClusterRole.MEMBER) {
            // With roles, submitters may create below these but not beside them: they must exist first.
            dirs.addAll(List.of(paths.bindings(), paths.groups(), paths.schedules(), paths.limits(),
                    paths.controls()));
        }
        for (String path : dirs) {
            createIfMissing(path, null);
        }
        createIfMissing(paths.epoch(), "0".getBytes(StandardCharsets.UTF_8));
        try {
            client.getData().forPath(paths.clusterRoot());
        } catch (KeeperException.NoAuthException e) {
            throw new HaException("cluster '" + clusterName + "' at " + paths.clusterRoot()
                    + " is protected by credentials this process does not have (NoAuth)", e);
        }
        if (rootAcl != null) {
            rootAcl.check();
        }
        if (roles != null && role == ClusterRole.MEMBER) {
            rolesNode.publish(roles, credentials);
        }
    }

    void ensureTaskLayout() throws Exception {
        TaskLayout.ensure(client, paths);
    }

    private void createIfMissing(String path, byte[] data) throws Exception {
        // A create that fails with NodeExists still goes through the quorum and the disk: check first, so that the
        // usual start (cluster laid out long ago) writes nothing.
        try {
            if (client.checkExists().forPath(path) != null) {
                return;
            }
            if (data == null) {
                client.create().creatingParentsIfNeeded().forPath(path);
            } else {
                client.create().creatingParentsIfNeeded().forPath(path, data);
            }
        } catch (KeeperException.NodeExistsException e) {
            // Already laid out by an earlier member.
        } catch (KeeperException.NoAuthException e) {
            throw new HaException("cannot create " + path + " for cluster '" + clusterName
                    + "': it is protected by credentials this process does not have (NoAuth)"
                    + (roles == null ? "" : "; with roles, only an agent identity lays out a cluster: start an "
                    + "agent first"), e);
        } catch (KeeperException.NoNodeException e) {
            String chroot = ConnectStrings.chroot(connectString);
            if (chroot != null) {
                throw new HaException("ZooKeeper chroot '" + chroot + "' of connect string '" + connectString
                        + "' does not exist; create it first (for example: zkCli.sh create " + chroot + ")", e);
            }
            throw e;
        }
    }
}
