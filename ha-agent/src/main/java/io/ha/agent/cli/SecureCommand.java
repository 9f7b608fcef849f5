package io.ha.agent.cli;

import io.ha.agent.view.Text;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.Roles;
import io.ha.core.cluster.ZooKeeperTls;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ha-ctl secure}: puts a cluster tree that was first run without credentials under the cluster's credentials
 * ({@link TreeSecurer}), so that credentialed agents may start on it (they refuse a world-open cluster root).
 *
 * <p>Not a {@link CtlCommand}: those start an observer, which with credentials refuses exactly the tree this command
 * is there to fix. It works on a plain ZooKeeper session instead. Refuses without credentials (exit 2).
 */
@Command(name = "secure", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Apply the cluster's credentials (--auth-file, $HA_ZK_AUTH or $HA_ZK_AUTH_FILE) to a cluster "
                + "first run without them: set the creator-only ACL on the root path's nodes and on every node of "
                + "the cluster, and print how many nodes changed. Idempotent: a second run changes nothing.",
                "Agents and tools still running without the credentials lose access to the cluster at once: "
                + "restart them with the credentials (zk.auth or HA_ZK_AUTH).",
                "The root path's nodes (/ha) become the credentials' too: other clusters there keep their nodes, "
                + "but a new cluster under that root path needs these credentials.",
                "With --roles-file (an agent identity's credentials): sets each node's ACL by the roles instead and "
                + "publishes the roles to <cluster>/roles; run it after changing the roles, then restart every "
                + "process with the new file."})
final class SecureCommand implements Callable<Integer> {
    /** {@code --json} output. */
    record Secured(String cluster, String path, String user, int changed, int unchanged, int gone) {
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CtlMain root = CtlMain.rootOf(spec.commandLine());
        GlobalOptions options = root.options();
        if (options.verbose) {
            Logging.verbose();
        }
        PrintWriter out = spec.commandLine().getOut();
        Credentials credentials = ClusterConnection.credentials(options, root.env());
        if (credentials == null) {
            throw CtlException.usage("secure needs the cluster's credentials: give --auth-file FILE or set "
                    + ClusterConnection.ENV_AUTH + " or " + ClusterConnection.ENV_AUTH_FILE);
        }
        String connect = ClusterConnection.firstNonBlank(options.zk, root.env().get(ClusterConnection.ENV_CONNECT));
        if (connect == null) {
            throw CtlException.usage("no ZooKeeper connect string: give --zk HOST:PORT[,HOST:PORT...] or set "
                    + ClusterConnection.ENV_CONNECT);
        }
        connect = connect.trim();
        ZooKeeperTls tls = ClusterConnection.tls(options, root.env());
        Roles roles = ClusterConnection.roles(options, root.env());
        if (roles != null && roles.roleOf(credentials).orElse(null) != Roles.Role.AGENT) {
            throw CtlException.usage("secure --roles-file needs the credentials of an agent identity the roles list "
                    + "(user '" + credentials.user() + "' is " + roles.roleOf(credentials).map(r -> "a "
                    + r.name().toLowerCase()).orElse("not listed") + ")");
        }
        String name = ClusterConnection.firstNonBlank(options.cluster, root.env().get(ClusterConnection.ENV_CLUSTER));
        name = name == null ? "default" : name;
        HaCluster cluster;
        try {
            // Never started: it validates the settings and names the paths as every agent computes them.
            cluster = HaCluster.builder().role(ClusterRole.OBSERVER).agentId("ha-ctl-secure").connectString(connect)
                    .clusterName(name).credentials(credentials).tls(tls).build();
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
        ZooKeeper zk = connect(connect, tls, options.connectTimeout());
        try {
            zk.addAuthInfo("digest", (credentials.user() + ":" + credentials.password())
                    .getBytes(StandardCharsets.UTF_8));
            if (zk.exists(cluster.clusterPath(), false) == null) {
                throw CtlException.failed("no cluster '" + name + "' at ZooKeeper " + connect + " ("
                        + cluster.clusterPath() + " does not exist): nothing to secure");
            }
            if (roles == null && zk.exists(ZKPaths.makePath(cluster.clusterPath(), "roles"), false) != null) {
                throw CtlException.usage("cluster '" + name + "' has roles (" + ZKPaths.makePath(
                        cluster.clusterPath(), "roles") + "): give the roles file with --roles-file or "
                        + ClusterConnection.ENV_ROLES_FILE + ", or the walk would make every node creator-only and "
                        + "lock the submitters and readers out");
            }
            TreeSecurer.Outcome outcome = (roles == null ? new TreeSecurer(zk, credentials)
                    : new TreeSecurer(zk, credentials, roles, cluster.clusterPath())).secure(cluster.clusterPath());
            if (roles != null) {
                publishRoles(zk, cluster.clusterPath(), roles, credentials);
            }
            if (options.json) {
                Json.print(out, new Secured(name, cluster.clusterPath(), credentials.user(), outcome.changed(),
                        outcome.unchanged(), outcome.gone()));
            } else {
                out.println("Secured cluster '" + name + "' at " + cluster.clusterPath() + " for user '"
                        + credentials.user() + "': " + outcome.changed() + " node(s) changed to "
                        + (roles == null ? "creator-only" : "the roles' ACLs") + ", "
                        + outcome.unchanged() + " already were"
                        + (outcome.gone() > 0 ? ", " + outcome.gone() + " went away meanwhile" : "") + ".");
                if (outcome.changed() > 0) {
                    out.println("Restart agents and tools that run without the credentials: they have lost access.");
                }
            }
            out.flush();
            return CtlException.OK;
        } finally {
            zk.close();
        }
    }

    /** Writes the roles to {@code <cluster>/roles}, where every process compares its own with them. */
    private static void publishRoles(ZooKeeper zk, String clusterPath, Roles roles, Credentials credentials)
            throws KeeperException, InterruptedException {
        String path = ZKPaths.makePath(clusterPath, "roles");
        byte[] text = roles.toText().getBytes(StandardCharsets.UTF_8);
        try {
            zk.create(path, text, roles.aclFor(clusterPath, path, credentials), CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            zk.setData(path, text, -1);
        }
    }

    private static ZooKeeper connect(String connect, ZooKeeperTls tls, Duration timeout) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, (int) timeout.toMillis(), event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, ClusterConnection.clientConfig(tls));
        if (!connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            zk.close();
            throw CtlException.failed("cannot connect to ZooKeeper at " + connect + " within "
                    + Text.duration(timeout) + " (--connect-timeout): is the server running and reachable?"
                    + ClusterConnection.tlsHint(tls));
        }
        return zk;
    }
}
