package io.ha.core.cluster;

import io.ha.core.internal.ZPaths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * The ACL of every node a process of a cluster with {@link Roles} creates, decided from the path alone, so that a node
 * gets the same ACL whoever creates it:
 * <ul>
 *   <li>agents: ALL everywhere;</li>
 *   <li>submitters: READ everywhere, and CREATE, DELETE and WRITE in the submission areas (tasks, pending pointers
 *       and their announcements, idempotency keys, groups, terminal records, schedules, limits, agent control), and
 *       DELETE of assignments (to cancel an assigned task);</li>
 *   <li>readers: READ everywhere;</li>
 *   <li>an agent's binding ({@code /bindings/<id>} and below): ALL to the identity that creates it, READ to the
 *       others, so that no other identity can register that agent id.</li>
 * </ul>
 * The root path's nodes and the cluster node, the registrations, the election, the epoch, the locks and the roles node
 * grant nothing beyond READ to submitters and readers. Nodes outside the cluster's path get the creator's digest only.
 *
 * <p>Guarantee: a pure function of the path; ADMIN (changing an ACL) goes to agents only. Not guaranteed: anything
 * about nodes created before roles were configured ({@code ha-ctl secure --roles-file} re-applies these ACLs).
 */
final class RoleAcls implements ACLProvider {
    /** Top-level nodes below the cluster node where submitters create, change and delete. */
    static final Set<String> SUBMISSION_AREAS = Set.of("tasks", "pending", "pending-log", "keys", "groups", "done",
            "schedules", "limits", "control");
    private static final int SUBMIT = Perms.CREATE | Perms.DELETE | Perms.WRITE | Perms.READ;

    private final String clusterRoot;
    private final Roles roles;
    private final String own;

    RoleAcls(String clusterRoot, Roles roles, Credentials own) {
        this.clusterRoot = clusterRoot;
        this.roles = roles;
        this.own = own.digestId();
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return ownerOnly();
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        if (path.equals(clusterRoot) || clusterRoot.startsWith(path + "/")) {
            return acl(Perms.READ, Perms.READ);
        }
        List<String> below = ZPaths.below(clusterRoot, path);
        if (below.isEmpty()) {
            return ownerOnly();
        }
        String area = below.get(0);
        if (area.equals("bindings") && below.size() > 1) {
            List<ACL> acl = new ArrayList<>();
            acl.add(entry(Perms.ALL, own));
            roles.all().stream().filter(id -> !id.equals(own)).forEach(id -> acl.add(entry(Perms.READ, id)));
            return Collections.unmodifiableList(acl);
        }
        if (SUBMISSION_AREAS.contains(area)) {
            return acl(SUBMIT, Perms.READ);
        }
        if (area.equals("assigned")) {
            return acl(Perms.READ | Perms.DELETE, Perms.READ);
        }
        return acl(Perms.READ, Perms.READ);
    }

    private List<ACL> acl(int submitterPerms, int readerPerms) {
        List<ACL> acl = new ArrayList<>();
        roles.agents().forEach(id -> acl.add(entry(Perms.ALL, id)));
        roles.submitters().forEach(id -> acl.add(entry(submitterPerms, id)));
        roles.readers().forEach(id -> acl.add(entry(readerPerms, id)));
        // Not List.of: ZooKeeper checks an ACL with contains(null), which immutable lists refuse.
        return Collections.unmodifiableList(acl);
    }

    private List<ACL> ownerOnly() {
        return Collections.singletonList(entry(Perms.ALL, own));
    }

    private static ACL entry(int perms, String digestId) {
        return new ACL(perms, new Id("digest", digestId));
    }
}
