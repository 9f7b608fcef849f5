package io.ha.core.cluster;

import io.ha.core.HaException;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.store.TaskLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

    ClusterLayout(CuratorFramework client, ZPaths paths, String clusterName, String connectString,
                  Credentials credentials) {
        this.client = client;
        this.paths = paths;
        this.clusterName = clusterName;
        this.connectString = connectString;
        this.rootAcl = credentials == null ? null
                : new RootAclCheck(client, paths.clusterRoot(), clusterName, credentials);
    }

    /** The cluster's own nodes; the task queue's directories follow with {@link #ensureTaskLayout()}. */
    void ensure() throws Exception {
        if (rootAcl != null) {
            rootAcl.check();
        }
        for (String path : List.of(paths.agents(), paths.leader(), paths.locks())) {
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
                    + "': it is protected by credentials this process does not have (NoAuth)", e);
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
