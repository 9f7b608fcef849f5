package io.ha.core.cluster;

import io.ha.core.ClusterRootExposedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;

/**
 * With credentials, checks that nobody but the credentials' identity can change the path to the cluster. The rule:
 * each existing node from the root path's first node down to the cluster node ({@code /ha}, {@code /ha/<cluster>})
 * may grant anything beyond READ only to the digest identity of these credentials (same user, same password). An
 * entry for {@code world:anyone}, an {@code ip} range, another digest identity or any other scheme that grants
 * CREATE, DELETE, WRITE or ADMIN fails the check (CREATE or DELETE on a parent lets a stranger create or remove the
 * cluster node first; WRITE or ADMIN let them change it or its ACL), and so does a node these credentials cannot
 * read the ACL of. READ granted to others is allowed: the nodes on the path hold no data. With {@link Roles}, the
 * agents' identities are trusted too (they all hold ALL there).
 *
 * <p>Guarantee: {@link #check} reads only (one getACL per node) and throws {@link ClusterRootExposedException}
 * naming the first offending node, its ACL and the fix. Not checked: ZooKeeper's own {@code /} (open to the world by
 * default, and the parent of every root path), a chroot node and its parents (outside the client's view; the
 * operator who made the chroot secures it), and the nodes below the cluster node (only the cluster node's owner can
 * create them once it is secured; {@code ha-ctl secure} fixes a tree first run without credentials).
 */
final class RootAclCheck {
    private static final int BEYOND_READ = Perms.ALL & ~Perms.READ;
    /** What ZooKeeper shows of a digest entry's hash to a client without ADMIN on the node. */
    private static final String REDACTED = ":x";

    private final CuratorFramework client;
    private final String clusterRoot;
    private final String clusterName;
    private final Credentials credentials;
    private final Set<String> trusted;

    /**
     * @param trusted the digest ids that may hold more than READ: these credentials' own, and with {@link Roles} the
     *                agents' too
     */
    RootAclCheck(CuratorFramework client, String clusterRoot, String clusterName, Credentials credentials,
                 Set<String> trusted) {
        this.client = client;
        this.clusterRoot = clusterRoot;
        this.clusterName = clusterName;
        this.credentials = credentials;
        this.trusted = Set.copyOf(trusted);
    }

    /** Checks the existing nodes of the path; missing ones are fine (this process creates them creator-only). */
    void check() throws Exception {
        String ours = credentials.digestId();
        for (String node : pathNodes(clusterRoot)) {
            List<ACL> acl;
            try {
                acl = client.getACL().forPath(node);
            } catch (KeeperException.NoNodeException e) {
                return; // the nodes below are missing too
            } catch (KeeperException.NoAuthException e) {
                throw refuse(node, "its ACL is not readable with credentials of user '" + credentials.user()
                        + "' (NoAuth): it was created by another identity");
            }
            List<String> strangers = new ArrayList<>();
            for (ACL entry : acl) {
                if ((entry.getPerms() & BEYOND_READ) != 0 && !isTrusted(entry)) {
                    strangers.add(describe(entry, ours));
                }
            }
            if (!strangers.isEmpty()) {
                throw refuse(node, "its ACL " + describe(acl, ours) + " lets "
                        + String.join(", ", strangers) + " change it");
            }
        }
    }

    private ClusterRootExposedException refuse(String node, String problem) {
        return new ClusterRootExposedException("cluster '" + clusterName + "' at " + clusterRoot
                + " is not protected: node " + node + ": " + problem + "; with credentials, the nodes from the root "
                + "path to the cluster node must grant nothing beyond READ to anyone but user '" + credentials.user()
                + "'" + (trusted.size() > 1 ? " and the agents of the roles" : "") + " (someone else could have created or could remove the cluster node). Fix: run 'ha-ctl secure' "
                + "with the cluster's credentials, or remove the node if it is not yours");
    }

    /** {@code /ha/test} gives {@code /ha}, {@code /ha/test}: every node of the path but ZooKeeper's {@code /}. */
    static List<String> pathNodes(String path) {
        List<String> nodes = new ArrayList<>();
        for (String p = path; !p.equals("/"); p = ZKPaths.getPathAndNode(p).getPath()) {
            nodes.add(0, p);
        }
        return nodes;
    }

    /**
     * A digest entry of a trusted identity. ZooKeeper shows an entry's hash only to a client with ADMIN on the node
     * ({@code user:x} to the others, such as submitters and readers under {@link Roles}): such an entry of another
     * trusted user is trusted by its name (the agents, who see the hashes, check them). One with this process's own
     * user is not: were it ours, it would have shown its hash.
     */
    private boolean isTrusted(ACL entry) {
        String id = entry.getId().getId();
        if (!entry.getId().getScheme().equals("digest")) {
            return false;
        }
        if (trusted.contains(id)) {
            return true;
        }
        String user = id.substring(0, Math.max(0, id.indexOf(':')));
        return id.endsWith(REDACTED) && !user.equals(credentials.user())
                && trusted.stream().anyMatch(t -> t.startsWith(user + ":"));
    }

    /** An ACL as {@code [world:anyone=cdrwa]}; a digest id shows its user only, never the password's hash. */
    static String describe(List<ACL> acl, String ours) {
        List<String> entries = new ArrayList<>();
        for (ACL entry : acl) {
            entries.add(describe(entry, ours));
        }
        return "[" + String.join(", ", entries) + "]";
    }

    private static String describe(ACL entry, String ours) {
        String scheme = entry.getId().getScheme();
        String id = entry.getId().getId();
        if (scheme.equals("digest")) {
            String user = id.contains(":") ? id.substring(0, id.indexOf(':')) : id;
            boolean ourUser = user.equals(ours.substring(0, ours.indexOf(':')));
            id = ourUser && !id.equals(ours) ? user + " (another password)" : user;
        }
        return scheme + ":" + id + "=" + perms(entry.getPerms());
    }

    private static String perms(int perms) {
        StringBuilder s = new StringBuilder();
        s.append((perms & Perms.CREATE) != 0 ? 'c' : '-');
        s.append((perms & Perms.DELETE) != 0 ? 'd' : '-');
        s.append((perms & Perms.READ) != 0 ? 'r' : '-');
        s.append((perms & Perms.WRITE) != 0 ? 'w' : '-');
        s.append((perms & Perms.ADMIN) != 0 ? 'a' : '-');
        return s.toString();
    }
}
