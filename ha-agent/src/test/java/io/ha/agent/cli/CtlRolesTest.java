package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.Roles;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ha-ctl secure --roles-file}: a cluster first run with one shared identity moves to roles; afterwards a
 * submitter's task runs, every node grants by role, and the roles are published. Refused with a non-agent identity.
 */
class CtlRolesTest extends CtlTestBase {
    private static final Credentials AGENTS = new Credentials("agents", "Ag-Zq7-secret");
    private static final Credentials CI = new Credentials("ci", "Ci-Zq7-secret");

    @TempDir
    Path dir;

    private Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(f, text);
        return f;
    }

    @Test
    void secureWithRolesMovesASharedIdentityClusterToRoles() throws Exception {
        HaCluster shared = member("a", b -> b.credentials(AGENTS));
        String before = shared.taskQueue().submit(TaskSpec.builder("echo").build());
        shared.close();
        Roles roles = new Roles(Set.of(AGENTS.digestId()), Set.of(CI.digestId()), Set.of());
        Path rolesFile = file("roles", roles.toText());
        env.put(ClusterConnection.ENV_ROLES_FILE, rolesFile.toString());

        env.put(ClusterConnection.ENV_AUTH_FILE, file("ci.auth", "ci:Ci-Zq7-secret\n").toString());
        assertThat(ctl("secure").exits(2).err()).contains("needs the credentials of an agent identity")
                .contains("user 'ci' is a submitter");

        env.put(ClusterConnection.ENV_AUTH_FILE, file("agents.auth", "agents:Ag-Zq7-secret\n").toString());
        Result secured = ctl("secure").exits(0);
        assertThat(secured.out()).contains("changed to the roles' ACLs");
        assertThat(ctl("secure").exits(0).out()).contains(": 0 node(s) changed");

        HaCluster agent = member("a", b -> b.credentials(AGENTS).roles(roles));
        agent.worker().register("echo", ctx -> ctx.payload(), 2);
        assertThat(agent.curator().getACL().forPath("/ha/test/schedules")).contains(
                new ACL(ZooDefs.Perms.ALL & ~ZooDefs.Perms.ADMIN, new Id("digest", CI.digestId())));
        HaCluster ci = member("ci", b -> b.credentials(CI).roles(roles).role(ClusterRole.OBSERVER));
        assertThat(ci.taskQueue().await(before, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        String after = ci.taskQueue().submit(TaskSpec.builder("echo").build());
        assertThat(ci.taskQueue().await(after, WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(new String(agent.curator().getData().forPath("/ha/test/roles"))).isEqualTo(roles.toText());
        env.remove(ClusterConnection.ENV_ROLES_FILE);
        assertThat(ctl("secure").exits(2).err()).contains("has roles").contains("--roles-file");
    }
}
