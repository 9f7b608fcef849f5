package io.ha.agent.cli;

import io.ha.agent.config.FileAccess;
import io.ha.agent.view.Text;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.ProcessIdentity;
import io.ha.core.cluster.Roles;
import io.ha.core.cluster.ZooKeeperTls;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * ha-ctl's connection to one cluster: resolves the global options against the environment, checks that the cluster
 * exists, and starts an {@link ClusterRole#OBSERVER} {@link HaCluster} (no agent node, no election).
 *
 * <p>The existence check runs on a short-lived plain ZooKeeper session before the HaCluster starts, because starting
 * one lays out a cluster's nodes when they are missing: without the check, a mistyped {@code --cluster} would
 * silently create an empty cluster and report "no agents, no tasks" instead of an error.
 */
final class ClusterConnection implements Closeable {
    static final String ENV_CONNECT = "HA_ZK_CONNECT";
    static final String ENV_CLUSTER = "HA_CLUSTER_NAME";
    static final String ENV_AUTH = "HA_ZK_AUTH";
    static final String ENV_AUTH_FILE = "HA_ZK_AUTH_FILE";
    static final String ENV_TLS = "HA_ZK_TLS_ENABLED";
    static final String ENV_ROLES_FILE = "HA_ZK_ROLES_FILE";

    private final HaCluster cluster;

    private ClusterConnection(HaCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * @throws CtlException USAGE for missing or invalid settings, FAILED when ZooKeeper is unreachable, the
     *                      credentials are refused or the cluster does not exist
     */
    static ClusterConnection open(GlobalOptions options, Map<String, String> env) throws Exception {
        String connect = firstNonBlank(options.zk, env.get(ENV_CONNECT));
        if (connect == null) {
            throw CtlException.usage("no ZooKeeper connect string: give --zk HOST:PORT[,HOST:PORT...] or set "
                    + ENV_CONNECT);
        }
        connect = connect.trim();
        String clusterName = firstNonBlank(options.cluster, env.get(ENV_CLUSTER));
        clusterName = clusterName == null ? "default" : clusterName;
        Credentials credentials = credentials(options, env);
        ZooKeeperTls tls = tls(options, env);
        Roles roles = roles(options, env);
        if (roles != null && credentials == null) {
            throw CtlException.usage("--roles-file needs credentials (--auth-file, HA_ZK_AUTH or HA_ZK_AUTH_FILE) "
                    + "of an identity the roles list");
        }
        if (roles != null && roles.roleOf(credentials).isEmpty()) {
            throw CtlException.usage("the credentials of user '" + credentials.user() + "' are not listed in the "
                    + "roles file (or their password differs: 'ha-ctl digest " + credentials.user() + "' prints the "
                    + "line to list)");
        }
        Duration connectTimeout = options.connectTimeout();
        HaCluster cluster;
        try {
            cluster = HaCluster.builder()
                    .role(ClusterRole.OBSERVER)
                    .connectString(connect)
                    .clusterName(clusterName)
                    .agentId(toolId())
                    .connectionTimeout(connectTimeout)
                    // A tool's session only bounds how long its reads retry through a connection loss: as long as
                    // it waits for a first connection is the natural choice.
                    .sessionTimeout(connectTimeout)
                    .credentials(credentials)
                    .tls(tls)
                    .roles(roles)
                    .build();
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
        checkClusterExists(connect, cluster.rootPath(), cluster.clusterPath(), clusterName, credentials, tls,
                connectTimeout);
        cluster.start();
        return new ClusterConnection(cluster);
    }

    HaCluster cluster() {
        return cluster;
    }

    String describe() {
        return "cluster '" + cluster.clusterName() + "' at " + cluster.connectString();
    }

    @Override
    public void close() {
        cluster.close();
    }

    static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : null;
    }

    /** The observer's id: shows up as the sender of agent commands ({@code by} of a drain). */
    private static String toolId() {
        long pid = ProcessHandle.current().pid();
        String host = ProcessIdentity.hostName();
        // A host name that is no valid id: the pid alone still tells operators which process sent a command.
        if (host.matches("[A-Za-z0-9._-]{1,100}")) {
            return "ha-ctl@" + host + "-" + pid;
        }
        return "ha-ctl-" + pid;
    }

    /** From --auth-file, else HA_ZK_AUTH or HA_ZK_AUTH_FILE; errors never repeat the secret. */
    static Credentials credentials(GlobalOptions options, Map<String, String> env) {
        if (options.authFile != null) {
            return fromFile(options.authFile, "--auth-file");
        }
        String inline = env.get(ENV_AUTH);
        String file = env.get(ENV_AUTH_FILE);
        boolean hasInline = inline != null && !inline.isEmpty();
        boolean hasFile = file != null && !file.isEmpty();
        if (hasInline && hasFile) {
            throw CtlException.usage("set only one of " + ENV_AUTH + " and " + ENV_AUTH_FILE);
        }
        if (hasFile) {
            return fromFile(pathOf(file, ENV_AUTH_FILE), ENV_AUTH_FILE);
        }
        if (hasInline) {
            return parse(inline.strip(), ENV_AUTH);
        }
        return null;
    }

    private static Credentials fromFile(Path file, String origin) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw CtlException.usage(origin + ": cannot read credentials file " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (content.isEmpty()) {
            throw CtlException.usage(origin + ": credentials file " + file + " is empty");
        }
        refuseIfOthersCanRead(file, origin);
        return parse(content, origin + " " + file);
    }

    /**
     * TLS from --zk-tls and its files, else the agent's variables (HA_ZK_TLS_ENABLED, HA_ZK_TLS_TRUSTSTORE, ...);
     * null when TLS is off.
     */
    static ZooKeeperTls tls(GlobalOptions options, Map<String, String> env) {
        boolean on = options.zkTls || "true".equalsIgnoreCase(String.valueOf(env.get(ENV_TLS)).strip());
        Path trust = file(options.zkTrustStore, env, "HA_ZK_TLS_TRUSTSTORE");
        Path trustPassword = file(options.zkTrustStorePasswordFile, env, "HA_ZK_TLS_TRUSTSTORE_PASSWORD_FILE");
        Path key = file(options.zkKeyStore, env, "HA_ZK_TLS_KEYSTORE");
        Path keyPassword = file(options.zkKeyStorePasswordFile, env, "HA_ZK_TLS_KEYSTORE_PASSWORD_FILE");
        if (!on) {
            if (options.zkTrustStore != null || options.zkKeyStore != null) {
                throw CtlException.usage("--zk-truststore and --zk-keystore need --zk-tls");
            }
            return null;
        }
        if (trust == null || trustPassword == null) {
            throw CtlException.usage("--zk-tls needs --zk-truststore FILE and --zk-truststore-password-file FILE "
                    + "(or HA_ZK_TLS_TRUSTSTORE and HA_ZK_TLS_TRUSTSTORE_PASSWORD_FILE)");
        }
        try {
            return new ZooKeeperTls(trust, trustPassword, key, keyPassword);
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
    }

    /** From --roles-file, else HA_ZK_ROLES_FILE; null when neither is set. */
    static Roles roles(GlobalOptions options, Map<String, String> env) {
        Path file = file(options.rolesFile, env, ENV_ROLES_FILE);
        if (file == null) {
            return null;
        }
        try {
            return Roles.read(file);
        } catch (IllegalArgumentException e) {
            throw CtlException.usage((options.rolesFile != null ? "--roles-file" : ENV_ROLES_FILE) + ": "
                    + e.getMessage());
        }
    }

    private static Path file(Path option, Map<String, String> env, String variable) {
        if (option != null) {
            return option;
        }
        String value = env.get(variable);
        return value == null || value.isBlank() ? null : pathOf(value.strip(), variable);
    }

    /** A path from an environment variable: one the platform cannot take is a usage error naming the variable. */
    private static Path pathOf(String value, String variable) {
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw CtlException.usage(variable + ": '" + Text.oneLine(value) + "' is not a file path ("
                    + e.getReason() + ")");
        }
    }

    /** Why a connection may fail that the operator cannot see otherwise: TLS on one side only, or not trusted. */
    static String tlsHint(ZooKeeperTls tls) {
        return tls == null ? " (TLS is off: a server that serves TLS only drops plain clients; see --zk-tls)"
                : " (TLS is on: the server must serve TLS on that port, the trust store must hold its CA, and the "
                + "server must trust --zk-keystore when it asks for a client certificate)";
    }

    /** Settings of the plain ZooKeeper clients ha-ctl makes next to the cluster's own. */
    static ZKClientConfig clientConfig(ZooKeeperTls tls) {
        ZKClientConfig config = new ZKClientConfig();
        if (tls != null) {
            tls.applyTo(config);
        }
        return config;
    }

    private static Credentials parse(String secret, String origin) {
        try {
            return Credentials.parse(secret);
        } catch (IllegalArgumentException e) {
            // Credentials.parse never echoes its input; neither does this message.
            throw CtlException.usage(origin + ": " + e.getMessage());
        }
    }

    private static void refuseIfOthersCanRead(Path file, String origin) {
        // The agent's own check: a secret other accounts can read is no secret, so the command does not use it.
        FileAccess.secretExposed(file).ifPresent(problem -> {
            throw CtlException.usage(origin + ": credentials file " + file + " " + problem);
        });
    }

    private static void checkClusterExists(String connect, String rootPath, String clusterPath, String clusterName,
                                           Credentials credentials, ZooKeeperTls tls, Duration connectTimeout)
            throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, (int) connectTimeout.toMillis(), event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, clientConfig(tls));
        try {
            if (!connected.await(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw CtlException.failed("cannot connect to ZooKeeper at " + connect + " within "
                        + Text.duration(connectTimeout) + " (--connect-timeout): is the server running, and are "
                        + "its host names resolvable and reachable from here?" + tlsHint(tls));
            }
            if (credentials != null) {
                zk.addAuthInfo("digest", (credentials.user() + ":" + credentials.password())
                        .getBytes(StandardCharsets.UTF_8));
            }
            if (zk.exists(clusterPath, false) == null) {
                throw CtlException.failed("no cluster '" + clusterName + "' at ZooKeeper " + connect + " ("
                        + clusterPath + " does not exist; " + knownClusters(zk, rootPath) + ")");
            }
        } finally {
            closeInBackground(zk);
        }
    }

    /**
     * Closing a session is a write on the servers (a transaction, synced to disk): waiting for it would add a
     * round trip and a disk sync to every command. The close goes on while the real connection is made; should the
     * process end first, the server expires the session after its timeout, and it holds nothing.
     */
    private static void closeInBackground(ZooKeeper zk) {
        Thread closer = new Thread(() -> {
            try {
                zk.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ha-ctl-precheck-close");
        closer.setDaemon(true);
        closer.start();
    }

    /** The clusters are the children of the root path: a cluster's path is {@code <root>/<cluster name>}. */
    private static String knownClusters(ZooKeeper zk, String rootPath) throws InterruptedException {
        try {
            List<String> names = zk.getChildren(rootPath, false).stream().sorted().toList();
            return names.isEmpty() ? "no cluster has been started there"
                    : "clusters there: " + String.join(", ", names);
        } catch (KeeperException.NoNodeException e) {
            return "no cluster has been started there";
        } catch (KeeperException e) {
            return "the list of clusters is not readable: " + e.code();
        }
    }
}
