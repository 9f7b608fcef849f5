package io.ha.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code ha.*} properties, mirroring the agent's configuration keys ({@code zk.connect} is {@code ha.zk.connect},
 * and so on). Bound as given; {@link HaClusterFactory} validates them and a bad value fails start-up with a failure
 * analysis naming the property. Credentials are never held here as text: only the path of the file that holds them
 * ({@code HA_ZK_AUTH} in the environment is read by the factory).
 */
@ConfigurationProperties("ha")
public class HaProperties {
    /** ZooKeeper connection. */
    private final Zk zk = new Zk();
    /** The cluster this application joins. */
    private final Cluster cluster = new Cluster();
    /** This instance. */
    private final Agent agent = new Agent();
    /** The ZooKeeper session. */
    private final Session session = new Session();
    /** The ZooKeeper connection attempt. */
    private final Connection connection = new Connection();
    /** The embedded ZooKeeper started when ha.zk.connect is empty (development only). */
    private final Embedded embedded = new Embedded();
    /** Graceful shutdown. */
    private final Shutdown shutdown = new Shutdown();
    /** How many tasks this instance runs at once, published in its registration. */
    private int capacity = 4;
    /** Labels of this instance, matched against task labels. */
    private Set<String> labels = new LinkedHashSet<>();
    /** member (registers, takes part in the election, runs tasks) or observer (submits and reads only). */
    private String role = "member";

    public Zk getZk() {
        return zk;
    }

    public Cluster getCluster() {
        return cluster;
    }

    public Agent getAgent() {
        return agent;
    }

    public Session getSession() {
        return session;
    }

    public Connection getConnection() {
        return connection;
    }

    public Embedded getEmbedded() {
        return embedded;
    }

    public Shutdown getShutdown() {
        return shutdown;
    }

    public int getCapacity() {
        return capacity;
    }

    public void setCapacity(int capacity) {
        this.capacity = capacity;
    }

    public Set<String> getLabels() {
        return labels;
    }

    public void setLabels(Set<String> labels) {
        this.labels = labels;
    }

    public String getRole() {
        return role;
    }

    public void setRole(String role) {
        this.role = role;
    }

    /** {@code ha.zk.*}. */
    public static class Zk {
        /** ZooKeeper connect string (host:port,...); empty starts an embedded server (development only). */
        private String connect = "";
        /** File holding user:password digest credentials, readable by its owner only (else env HA_ZK_AUTH). */
        private Path authFile;
        /** Roles file (agents/submitters/readers identities); needs credentials listed in it. */
        private Path rolesFile;
        /** TLS to ZooKeeper. */
        private final Tls tls = new Tls();

        public String getConnect() {
            return connect;
        }

        public void setConnect(String connect) {
            this.connect = connect;
        }

        public Path getAuthFile() {
            return authFile;
        }

        public void setAuthFile(Path authFile) {
            this.authFile = authFile;
        }

        public Path getRolesFile() {
            return rolesFile;
        }

        public void setRolesFile(Path rolesFile) {
            this.rolesFile = rolesFile;
        }

        public Tls getTls() {
            return tls;
        }
    }

    /** {@code ha.zk.tls.*}. */
    public static class Tls {
        /** Whether to connect to ZooKeeper over TLS (needs truststore and truststore-password-file). */
        private boolean enabled;
        /** Trust store with the servers' certificate authority. */
        private Path truststore;
        /** File holding the trust store's password, readable by its owner only. */
        private Path truststorePasswordFile;
        /** Key store with this client's certificate, when the servers ask for one. */
        private Path keystore;
        /** File holding the key store's password, readable by its owner only. */
        private Path keystorePasswordFile;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Path getTruststore() {
            return truststore;
        }

        public void setTruststore(Path truststore) {
            this.truststore = truststore;
        }

        public Path getTruststorePasswordFile() {
            return truststorePasswordFile;
        }

        public void setTruststorePasswordFile(Path truststorePasswordFile) {
            this.truststorePasswordFile = truststorePasswordFile;
        }

        public Path getKeystore() {
            return keystore;
        }

        public void setKeystore(Path keystore) {
            this.keystore = keystore;
        }

        public Path getKeystorePasswordFile() {
            return keystorePasswordFile;
        }

        public void setKeystorePasswordFile(Path keystorePasswordFile) {
            this.keystorePasswordFile = keystorePasswordFile;
        }
    }

    /** {@code ha.cluster.*}. */
    public static class Cluster {
        /** Name of the cluster to join. */
        private String name = "default";
        /** The most task slots the leader counts for one agent, whatever its registration declares. */
        private Integer maxAgentCapacity;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public Integer getMaxAgentCapacity() {
            return maxAgentCapacity;
        }

        public void setMaxAgentCapacity(Integer maxAgentCapacity) {
            this.maxAgentCapacity = maxAgentCapacity;
        }
    }

    /** {@code ha.agent.*}. */
    public static class Agent {
        /** Unique id of this instance in the cluster; empty for host name and process id. */
        private String id = "";

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }
    }

    /** {@code ha.session.*}. */
    public static class Session {
        /** ZooKeeper session timeout: how long a silent instance keeps its leadership, locks and tasks. */
        private Duration timeout = Duration.ofSeconds(15);

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** {@code ha.connection.*}. */
    public static class Connection {
        /** How long start-up waits for a ZooKeeper server to answer. */
        private Duration timeout = Duration.ofSeconds(10);

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** {@code ha.embedded.*}. */
    public static class Embedded {
        /** Allow the embedded ZooKeeper even when a refused profile is active. */
        private boolean allowed;
        /** Profiles under which an embedded ZooKeeper is refused unless ha.embedded.allowed is true. */
        private List<String> refusedProfiles = List.of("prod", "production");

        public boolean isAllowed() {
            return allowed;
        }

        public void setAllowed(boolean allowed) {
            this.allowed = allowed;
        }

        public List<String> getRefusedProfiles() {
            return refusedProfiles;
        }

        public void setRefusedProfiles(List<String> refusedProfiles) {
            this.refusedProfiles = refusedProfiles;
        }
    }

    /** {@code ha.shutdown.*}. */
    public static class Shutdown {
        /** How long running tasks may finish on shutdown before they are interrupted and handed back. */
        private Duration drainTimeout = Duration.ofSeconds(10);

        public Duration getDrainTimeout() {
            return drainTimeout;
        }

        public void setDrainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
        }
    }
}
