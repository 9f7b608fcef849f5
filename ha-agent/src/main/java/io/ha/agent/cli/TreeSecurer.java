package io.ha.agent.cli;

import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.Roles;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

/**
 * Sets the creator-only digest ACL of the given credentials (what ha-core gives every node it creates with
 * credentials), or with roles the ACL each node gets by its path ({@link Roles#aclFor}), on the nodes of the path to a
 * cluster ({@code /ha}, {@code /ha/<cluster>}; not ZooKeeper's {@code /})
 * and on every node below the cluster node, top down, on a session authenticated with those credentials.
 *
 * <p>Guarantee: a node whose ACL already is exactly that ACL is not written (a second run changes nothing); a node's
 * children are listed only after the node itself is secured, so a client without the credentials cannot add a node
 * the walk misses; a node that goes away during the walk (an ephemeral of a session that ended) is skipped. A node
 * these credentials may not change (NoAuth: another identity's) stops the walk with {@link CtlException} naming it;
 * the nodes secured before it stay secured and a rerun continues. Not guaranteed: atomicity (ZooKeeper has no
 * multi-node ACL change), or anything about nodes outside the cluster tree.
 */
final class TreeSecurer {
    /** What a walk did: nodes whose ACL it set, nodes already creator-only, nodes gone before it reached them. */
    record Outcome(int changed, int unchanged, int gone) {
    }

    private final ZooKeeper zk;
    private final Function<String, List<ACL>> aclFor;
    private final Predicate<String> keep;
    private int changed;
    private int unchanged;
    private int gone;

    /** Creator-only ACLs for every node. */
    TreeSecurer(ZooKeeper zk, Credentials credentials) {
        List<ACL> creatorOnly = credentials.ownerOnlyAcl();
        this.zk = zk;
        this.aclFor = path -> creatorOnly;
        this.keep = path -> false;
    }

    /**
     * The roles' ACLs, except below the agents' bindings ({@code <cluster>/bindings/<id>}): those keep the ACL of
     * the identity that registered the id.
     */
    TreeSecurer(ZooKeeper zk, Credentials credentials, Roles roles, String clusterPath) {
        String bindings = ZKPaths.makePath(clusterPath, "bindings");
        this.zk = zk;
        this.aclFor = path -> roles.aclFor(clusterPath, path, credentials);
        this.keep = path -> path.startsWith(bindings + "/");
    }

    /** Secures the path nodes down to {@code clusterPath} and the whole tree below it. */
    Outcome secure(String clusterPath) throws KeeperException, InterruptedException {
        List<String> pathNodes = new ArrayList<>();
        for (String p = clusterPath; !p.equals("/"); p = ZKPaths.getPathAndNode(p).getPath()) {
            pathNodes.add(0, p);
        }
        for (String node : pathNodes) {
            secureNode(node);
        }
        Deque<String> todo = new ArrayDeque<>(List.of(clusterPath));
        while (!todo.isEmpty()) {
            String node = todo.poll();
            List<String> children;
            try {
                children = zk.getChildren(node, false);
            } catch (KeeperException.NoNodeException e) {
                continue; // counted when it was secured; gone since
            }
            for (String child : children) {
                String path = ZKPaths.makePath(node, child);
                if (secureNode(path)) {
                    todo.add(path);
                }
            }
        }
        return new Outcome(changed, unchanged, gone);
    }

    /** @return false when the node is gone */
    private boolean secureNode(String node) throws KeeperException, InterruptedException {
        List<ACL> acl;
        try {
            acl = zk.getACL(node, new Stat());
        } catch (KeeperException.NoNodeException e) {
            gone++;
            return false;
        } catch (KeeperException.NoAuthException e) {
            throw cannotChange(node, "its ACL is not even readable with these credentials");
        }
        List<ACL> wanted = aclFor.apply(node);
        if (keep.test(node) || Set.copyOf(acl).equals(Set.copyOf(wanted))) {
            unchanged++;
            return true;
        }
        try {
            // Digest identities only, as ha-core creates nodes (a TLS client certificate gets no entry).
            zk.setACL(node, wanted, -1);
        } catch (KeeperException.NoNodeException e) {
            gone++;
            return false;
        } catch (KeeperException.NoAuthException e) {
            throw cannotChange(node, "its ACL " + describe(acl) + " does not grant ADMIN to these credentials");
        }
        changed++;
        return true;
    }

    private CtlException cannotChange(String node, String why) {
        return CtlException.failed("cannot secure " + node + ": it belongs to another identity (NoAuth; " + why
                + "). Remove it or have its owner fix it, then run 'ha-ctl secure' again; " + changed
                + " node(s) were secured before it");
    }

    /** An ACL as {@code [world:anyone=cdrwa]}; digest ids show their user only, never the password's hash. */
    private String describe(List<ACL> acl) {
        List<String> entries = new ArrayList<>();
        for (ACL entry : acl) {
            String id = entry.getId().getId();
            if (entry.getId().getScheme().equals("digest") && id.indexOf(':') >= 0) {
                id = id.substring(0, id.indexOf(':'));
            }
            int p = entry.getPerms();
            entries.add(entry.getId().getScheme() + ":" + id + "="
                    + ((p & ZooDefs.Perms.CREATE) != 0 ? "c" : "-") + ((p & ZooDefs.Perms.DELETE) != 0 ? "d" : "-")
                    + ((p & ZooDefs.Perms.READ) != 0 ? "r" : "-") + ((p & ZooDefs.Perms.WRITE) != 0 ? "w" : "-")
                    + ((p & ZooDefs.Perms.ADMIN) != 0 ? "a" : "-"));
        }
        return "[" + String.join(", ", entries) + "]";
    }
}
