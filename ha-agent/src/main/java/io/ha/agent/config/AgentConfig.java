package io.ha.agent.config;

import io.ha.core.Names;
import io.ha.core.cluster.ConnectStrings;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.ProcessIdentity;
import io.ha.core.cluster.Roles;
import io.ha.core.cluster.ZooKeeperTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The agent's validated configuration, checked with the same rules as {@code HaClusterBuilder} (but without
 * touching classes that log: logging is configured from this configuration). Immutable; build it with
 * {@link #builder()} (each setter checks its value and names the key in its {@link ConfigException}), or load it
 * with {@link ConfigLoader}. Secrets ({@code zk.auth},
 * {@code http.token}) never appear in {@link #toString()}.
 *
 * @param zkConnect         ZooKeeper connect string, or null for an embedded single server
 * @param zkCredentials     digest credentials for creator-only ACLs, or null
 * @param clusterName       the cluster to join
 * @param agentId           this agent's id
 * @param sessionTimeout    ZooKeeper session timeout
 * @param connectionTimeout how long to wait for a connection at start
 * @param capacity          task slots published for this agent (and the default exec concurrency)
 * @param labels            placement labels
 * @param httpHost          address the status endpoint binds to
 * @param httpPort          port of the status endpoint, 0 for a free one
 * @param httpToken         bearer token for mutating endpoints, or null (they are then disabled)
 * @param drainTimeout      how long running tasks may finish when the agent drains
 * @param execEnabled       whether the built-in {@code exec} handler runs tasks
 * @param execConcurrency   how many exec tasks run at once
 * @param execKillGrace     time between SIGTERM and SIGKILL when an exec process tree is killed
 * @param pluginsDir        directory whose jars contribute task handlers
 * @param logDir            directory of the rolling log files
 * @param securityInsecure  whether exec may run without ZooKeeper credentials (see {@link SecurityPolicy})
 * @param securityRequireTls whether a connect string that needs TLS is refused (see {@link SecurityPolicy})
 * @param zkTls             TLS to ZooKeeper ({@code zk.tls.*}), or null for a plain connection
 * @param exec              the exec handler's secrets and account ({@code exec.secrets.dir},
 *                          {@code exec.secret.key.file}, {@code exec.user})
 * @param zkRoles           separate identities for agents, submitters and readers ({@code zk.roles.file}), or null
 * @param maxAgentCapacity  the most task slots the leader counts for any agent ({@code cluster.max-agent-capacity})
 * @param consoleToken      a token that signs in to the web console only ({@code http.console.token[.file]}), or null
 * @param consoleHosts      host names the console answers besides the bound one and loopback
 *                          ({@code http.console.hosts})
 */
public record AgentConfig(String zkConnect, Credentials zkCredentials, String clusterName, String agentId,
                          Duration sessionTimeout, Duration connectionTimeout, int capacity, Set<String> labels,
                          String httpHost, int httpPort, Secret httpToken, Duration drainTimeout, boolean execEnabled,
                          int execConcurrency, Duration execKillGrace, Path pluginsDir, Path logDir,
                          boolean securityInsecure, boolean securityRequireTls, ZooKeeperTls zkTls,
                          ExecSecurity exec, Roles zkRoles, int maxAgentCapacity, Secret consoleToken,
                          List<String> consoleHosts) {
    public static final int MAX_SLOTS = 10_000;

    public AgentConfig {
        zkConnect = zkConnect == null || zkConnect.isBlank() ? null : checkConnect(zkConnect.trim());
        checkName(ConfigKey.CLUSTER_NAME, clusterName);
        checkName(ConfigKey.AGENT_ID, agentId);
        checkDuration(ConfigKey.SESSION_TIMEOUT, sessionTimeout, false);
        checkDuration(ConfigKey.CONNECTION_TIMEOUT, connectionTimeout, false);
        if (connectionTimeout.compareTo(sessionTimeout) > 0) {
            throw new ConfigException("config key 'connection.timeout' (" + Durations.format(connectionTimeout)
                    + ") must not exceed 'session.timeout' (" + Durations.format(sessionTimeout) + ")");
        }
        checkSlots(ConfigKey.CAPACITY, capacity);
        labels = Set.copyOf(new TreeSet<>(labels == null ? Set.of() : labels));
        checkLabels(labels);
        if (httpHost == null || httpHost.isBlank()) {
            throw ConfigException.badValue(ConfigKey.HTTP_HOST, String.valueOf(httpHost),
                    "give a host name or IP address to bind to, such as 127.0.0.1");
        }
        checkPort(httpPort);
        checkDuration(ConfigKey.DRAIN_TIMEOUT, drainTimeout, true);
        checkSlots(ConfigKey.EXEC_CONCURRENCY, execConcurrency);
        checkDuration(ConfigKey.EXEC_KILL_GRACE, execKillGrace, true);
        if (pluginsDir == null || logDir == null) {
            throw new ConfigException("config keys 'plugins.dir' and 'log.dir' must be set");
        }
        exec = exec == null ? ExecSecurity.NONE : exec;
        consoleHosts = consoleHosts == null ? List.of() : List.copyOf(consoleHosts);
        if (zkTls != null && zkConnect == null) {
            throw new ConfigException("zk.tls.enabled=true needs zk.connect: the embedded ZooKeeper server serves "
                    + "loopback without TLS");
        }
        if (zkRoles != null && zkCredentials == null) {
            throw new ConfigException("zk.roles.file needs ZooKeeper credentials (zk.auth.file or HA_ZK_AUTH): the "
                    + "agent connects with the agent identity the roles list");
        }
        if (maxAgentCapacity < 1 || maxAgentCapacity > 1_000_000) {
            throw ConfigException.badValue(ConfigKey.CLUSTER_MAX_AGENT_CAPACITY, Integer.toString(maxAgentCapacity),
                    "expected a whole number in 1-1000000");
        }
        if (Math.max(capacity, execConcurrency) > maxAgentCapacity) {
            throw new ConfigException("config key 'capacity' or 'exec.concurrency' (" + Math.max(capacity,
                    execConcurrency) + ") exceeds 'cluster.max-agent-capacity' (" + maxAgentCapacity + "): the "
                    + "leader would count fewer slots than this agent runs");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when no connect string is set and the agent starts its own single ZooKeeper server. */
    public boolean embeddedZooKeeper() {
        return zkConnect == null;
    }

    @Override
    public String toString() {
        return "AgentConfig[zk.connect=" + (zkConnect == null ? "(embedded)" : zkConnect)
                + ", zk.auth=" + (zkCredentials == null ? "(none)" : "user " + zkCredentials.user() + ", password ****")
                + ", cluster.name=" + clusterName + ", agent.id=" + agentId
                + ", session.timeout=" + Durations.format(sessionTimeout)
                + ", connection.timeout=" + Durations.format(connectionTimeout) + ", capacity=" + capacity
                + ", labels=" + String.join(",", labels) + ", http.host=" + httpHost + ", http.port=" + httpPort
                + ", http.token=" + (httpToken == null ? "(none: mutating endpoints disabled)" : "****")
                + ", http.console.token=" + (consoleToken == null ? "(none)" : "****")
                + ", http.console.hosts=" + String.join(",", consoleHosts)
                + ", drain.timeout=" + Durations.format(drainTimeout) + ", exec.enabled=" + execEnabled
                + ", exec.concurrency=" + execConcurrency + ", exec.kill.grace=" + Durations.format(execKillGrace)
                + ", plugins.dir=" + pluginsDir + ", log.dir=" + logDir
                + ", security.insecure=" + securityInsecure + ", security.require-tls=" + securityRequireTls
                + ", zk.tls=" + (zkTls == null ? "off" : zkTls) + ", " + exec
                + ", zk.roles=" + (zkRoles == null ? "(none: one shared identity)" : zkRoles.agents().size()
                + " agents, " + zkRoles.submitters().size() + " submitters, " + zkRoles.readers().size() + " readers")
                + ", cluster.max-agent-capacity=" + maxAgentCapacity + "]";
    }

    // ---- per-key checks, shared by the constructor and the builder ----

    private static String checkConnect(String connect) {
        try {
            return ConnectStrings.validate(connect);
        } catch (IllegalArgumentException e) {
            throw ConfigException.badValue(ConfigKey.ZK_CONNECT, connect, e.getMessage()
                    + "; expected host:port[,host:port...][/chroot], or empty for an embedded server");
        }
    }

    private static void checkName(ConfigKey key, String name) {
        try {
            Names.validate(key == ConfigKey.CLUSTER_NAME ? "cluster name" : "agent id", name);
        } catch (IllegalArgumentException e) {
            throw ConfigException.badValue(key, String.valueOf(name), "expected a name of 1-200 characters without "
                    + "'/' or control characters (" + e.getMessage() + ")");
        }
    }

    private static void checkDuration(ConfigKey key, Duration d, boolean zeroAllowed) {
        if (d == null || d.isNegative() || (!zeroAllowed && d.isZero()) || d.toMillis() > Integer.MAX_VALUE) {
            throw ConfigException.badValue(key, d == null ? "null" : Durations.format(d), "expected a "
                    + (zeroAllowed ? "" : "positive ") + "duration such as 500ms, 15s, 2m or 1h (at most 24 days)");
        }
    }

    private static void checkSlots(ConfigKey key, int n) {
        if (n < 1 || n > MAX_SLOTS) {
            throw ConfigException.badValue(key, Integer.toString(n), "expected a whole number in 1-" + MAX_SLOTS);
        }
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw ConfigException.badValue(ConfigKey.HTTP_PORT, Integer.toString(port),
                    "expected a port number in 0-65535 (0 picks a free port)");
        }
    }

    private static void checkLabels(Set<String> labels) {
        for (String label : labels) {
            if (label == null || label.isBlank() || label.length() > Names.MAX_LENGTH) {
                throw ConfigException.badValue(ConfigKey.LABELS, String.join(",", labels),
                        "expected a comma-separated list of labels of 1-" + Names.MAX_LENGTH + " characters");
            }
        }
    }

    /**
     * Builds an {@link AgentConfig} from defaults. Every setter validates at once, naming the key; {@link #build()}
     * checks the combination (for example that the connection timeout does not exceed the session timeout).
     */
    public static final class Builder {
        private String zkConnect;
        private Credentials zkCredentials;
        private String clusterName = ConfigKey.CLUSTER_NAME.defaultValue();
        private String agentId;
        private Duration sessionTimeout = Durations.parse(ConfigKey.SESSION_TIMEOUT.key(), ConfigKey.SESSION_TIMEOUT.defaultValue());
        private Duration connectionTimeout = Durations.parse(ConfigKey.CONNECTION_TIMEOUT.key(), ConfigKey.CONNECTION_TIMEOUT.defaultValue());
        private Integer capacity;
        private Set<String> labels = Set.of();
        private String httpHost = ConfigKey.HTTP_HOST.defaultValue();
        private int httpPort = Integer.parseInt(ConfigKey.HTTP_PORT.defaultValue());
        private Secret httpToken;
        private Duration drainTimeout = Durations.parse(ConfigKey.DRAIN_TIMEOUT.key(), ConfigKey.DRAIN_TIMEOUT.defaultValue());
        private boolean execEnabled = Boolean.parseBoolean(ConfigKey.EXEC_ENABLED.defaultValue());
        private Integer execConcurrency;
        private Duration execKillGrace = Durations.parse(ConfigKey.EXEC_KILL_GRACE.key(), ConfigKey.EXEC_KILL_GRACE.defaultValue());
        private Path pluginsDir = Path.of(ConfigKey.PLUGINS_DIR.defaultValue());
        private Path logDir = Path.of(ConfigKey.LOG_DIR.defaultValue());
        private boolean securityInsecure = Boolean.parseBoolean(ConfigKey.SECURITY_INSECURE.defaultValue());
        private boolean securityRequireTls = Boolean.parseBoolean(ConfigKey.SECURITY_REQUIRE_TLS.defaultValue());
        private ZooKeeperTls zkTls;
        private ExecSecurity exec = ExecSecurity.NONE;
        private Roles zkRoles;
        private int maxAgentCapacity = Integer.parseInt(ConfigKey.CLUSTER_MAX_AGENT_CAPACITY.defaultValue());
        private Secret consoleToken;
        private List<String> consoleHosts = List.of();

        private Builder() {
        }

        /** Null or blank: an embedded single ZooKeeper server. */
        public Builder zkConnect(String connect) {
            this.zkConnect = connect == null || connect.isBlank() ? null : checkConnect(connect.trim());
            return this;
        }

        public Builder zkCredentials(Credentials credentials) {
            this.zkCredentials = credentials;
            return this;
        }

        public Builder clusterName(String name) {
            checkName(ConfigKey.CLUSTER_NAME, name);
            this.clusterName = name;
            return this;
        }

        /** Null: {@code <hostname>-<pid>}. */
        public Builder agentId(String id) {
            if (id != null) {
                checkName(ConfigKey.AGENT_ID, id);
            }
            this.agentId = id;
            return this;
        }

        public Builder sessionTimeout(Duration d) {
            checkDuration(ConfigKey.SESSION_TIMEOUT, d, false);
            this.sessionTimeout = d;
            return this;
        }

        public Builder connectionTimeout(Duration d) {
            checkDuration(ConfigKey.CONNECTION_TIMEOUT, d, false);
            this.connectionTimeout = d;
            return this;
        }

        /** Null: the number of processors. */
        public Builder capacity(Integer n) {
            if (n != null) {
                checkSlots(ConfigKey.CAPACITY, n);
            }
            this.capacity = n;
            return this;
        }

        public Builder labels(Set<String> set) {
            checkLabels(set);
            this.labels = set;
            return this;
        }

        /** Parses a comma-separated list; blanks around and between items are dropped. */
        public Builder labels(String commaList) {
            Set<String> set = Arrays.stream(commaList.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            return labels(set);
        }

        public Builder httpHost(String host) {
            this.httpHost = host;
            return this;
        }

        public Builder httpPort(int port) {
            checkPort(port);
            this.httpPort = port;
            return this;
        }

        public Builder httpToken(Secret token) {
            this.httpToken = token;
            return this;
        }

        public Builder drainTimeout(Duration d) {
            checkDuration(ConfigKey.DRAIN_TIMEOUT, d, true);
            this.drainTimeout = d;
            return this;
        }

        public Builder execEnabled(boolean enabled) {
            this.execEnabled = enabled;
            return this;
        }

        /** Null: the capacity. */
        public Builder execConcurrency(Integer n) {
            if (n != null) {
                checkSlots(ConfigKey.EXEC_CONCURRENCY, n);
            }
            this.execConcurrency = n;
            return this;
        }

        public Builder execKillGrace(Duration d) {
            checkDuration(ConfigKey.EXEC_KILL_GRACE, d, true);
            this.execKillGrace = d;
            return this;
        }

        public Builder pluginsDir(Path dir) {
            this.pluginsDir = dir;
            return this;
        }

        public Builder logDir(Path dir) {
            this.logDir = dir;
            return this;
        }

        public Builder securityInsecure(boolean insecure) {
            this.securityInsecure = insecure;
            return this;
        }

        public Builder securityRequireTls(boolean requireTls) {
            this.securityRequireTls = requireTls;
            return this;
        }

        public Builder zkTls(ZooKeeperTls tls) {
            this.zkTls = tls;
            return this;
        }

        public Builder exec(ExecSecurity security) {
            this.exec = security;
            return this;
        }

        public Builder zkRoles(Roles roles) {
            this.zkRoles = roles;
            return this;
        }

        public Builder maxAgentCapacity(int max) {
            this.maxAgentCapacity = max;
            return this;
        }

        public Builder consoleToken(Secret token) {
            this.consoleToken = token;
            return this;
        }

        /** Parses a comma-separated list of host names; blanks are dropped. */
        public Builder consoleHosts(String commaList) {
            List<String> hosts = Arrays.stream(commaList.split(",")).map(String::trim).filter(h -> !h.isEmpty())
                    .toList();
            for (String h : hosts) {
                if (!h.matches("[A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+\\]")) {
                    throw ConfigException.badValue(ConfigKey.HTTP_CONSOLE_HOSTS, h,
                            "expected host names or IP addresses ([::1] for IPv6), comma separated, without ports");
                }
            }
            this.consoleHosts = hosts;
            return this;
        }

        public AgentConfig build() {
            int slots = capacity != null ? capacity : Math.min(MAX_SLOTS, Runtime.getRuntime().availableProcessors());
            return new AgentConfig(zkConnect, zkCredentials, clusterName,
                    agentId != null ? agentId : ProcessIdentity.defaultAgentId(), sessionTimeout, connectionTimeout, slots, labels,
                    httpHost, httpPort, httpToken, drainTimeout, execEnabled,
                    execConcurrency != null ? execConcurrency : slots, execKillGrace, pluginsDir, logDir,
                    securityInsecure, securityRequireTls, zkTls, exec, zkRoles, maxAgentCapacity, consoleToken,
                    consoleHosts);
        }
    }
}
