package io.ha.agent.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every ha-ctl command takes, before or after the command name ({@code ha-ctl --zk X status} and
 * {@code ha-ctl status --zk X} are the same). Values not given fall back to the environment the agent also reads
 * ({@code HA_ZK_CONNECT}, {@code HA_CLUSTER_NAME}, {@code HA_ZK_AUTH}, {@code HA_ZK_AUTH_FILE}); resolving them is
 * {@link ClusterConnection}'s job.
 */
final class GlobalOptions {
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = {"-z", "--zk"}, paramLabel = "CONNECT", scope = ScopeType.INHERIT,
            description = "ZooKeeper servers, host:port[,host:port...][/chroot] (default: $HA_ZK_CONNECT).")
    String zk;

    @Option(names = {"-c", "--cluster"}, paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "Cluster name (default: $HA_CLUSTER_NAME, else 'default').")
    String cluster;

    @Option(names = "--auth-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "File holding ZooKeeper digest credentials user:password (default: $HA_ZK_AUTH, "
                    + "$HA_ZK_AUTH_FILE). Never printed.")
    Path authFile;

    @Option(names = "--zk-tls", scope = ScopeType.INHERIT,
            description = "TLS to ZooKeeper (default: $HA_ZK_TLS_ENABLED); needs --zk-truststore.")
    boolean zkTls;

    @Option(names = "--zk-truststore", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "CA certificates of the ZooKeeper servers (default: $HA_ZK_TLS_TRUSTSTORE).")
    Path zkTrustStore;

    @Option(names = "--zk-truststore-password-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The trust store's password (default: $HA_ZK_TLS_TRUSTSTORE_PASSWORD_FILE).")
    Path zkTrustStorePasswordFile;

    @Option(names = "--zk-keystore", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "This client's certificate, for servers that ask for one (default: $HA_ZK_TLS_KEYSTORE).")
    Path zkKeyStore;

    @Option(names = "--zk-keystore-password-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The key store's password (default: $HA_ZK_TLS_KEYSTORE_PASSWORD_FILE).")
    Path zkKeyStorePasswordFile;

    @Option(names = "--roles-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The cluster's roles (agent|submitter|reader USER:DIGEST lines), when it has separate "
                    + "identities (default: $HA_ZK_ROLES_FILE).")
    Path rolesFile;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", scope = ScopeType.INHERIT,
            converter = DurationConverter.class,
            description = "Give up when no ZooKeeper server answers within this time (default: 10s).")
    Duration connectTimeout;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Machine-readable JSON output (stable field names).")
    boolean json;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log ZooKeeper/Curator/HA activity to stderr and show stack traces of internal errors.")
    boolean verbose;

    Duration connectTimeout() {
        return connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
    }
}
