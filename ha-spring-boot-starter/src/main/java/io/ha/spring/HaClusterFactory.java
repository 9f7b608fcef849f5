package io.ha.spring;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.HaClusterBuilder;
import io.ha.core.cluster.Roles;
import io.ha.core.cluster.ZooKeeperTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * Turns the {@code ha.*} properties into an unstarted {@link HaCluster}. Every problem is an
 * {@link InvalidHaPropertyException} naming the property; a credentials file that group or others can read is
 * refused as the agent refuses it, and no error or log line holds the credentials.
 *
 * <p>Without {@code ha.zk.connect} the cluster starts an embedded ZooKeeper (logged at WARN), refused while a profile
 * of {@code ha.embedded.refused-profiles} is active unless {@code ha.embedded.allowed=true}. Not checked here: that
 * ZooKeeper is reachable or accepts the credentials (the cluster's start says so).
 */
public final class HaClusterFactory {
    private static final Logger LOG = LoggerFactory.getLogger(HaClusterFactory.class);
    /** The environment variable read for {@code user:password} when {@code ha.zk.auth-file} is not set. */
    public static final String AUTH_ENV = "HA_ZK_AUTH";

    private final HaProperties props;
    private final Environment env;
    private final Function<String, String> getenv;

    public HaClusterFactory(HaProperties props, Environment env) {
        this(props, env, System::getenv);
    }

    HaClusterFactory(HaProperties props, Environment env, Function<String, String> getenv) {
        this.props = props;
        this.env = env;
        this.getenv = getenv;
    }

    /** A builder with every property applied. */
    public HaClusterBuilder builder() {
        HaClusterBuilder b = HaCluster.builder();
        String connect = props.getZk().getConnect() == null ? "" : props.getZk().getConnect().trim();
        if (connect.isEmpty()) {
            checkEmbeddedAllowed();
            LOG.warn("ha.zk.connect is not set: starting an EMBEDDED ZooKeeper. It is for development on one machine "
                    + "only: nothing is shared with other machines and nothing survives this process. Set "
                    + "ha.zk.connect for any real deployment.");
        } else {
            apply("ha.zk.connect", () -> b.connectString(connect));
        }
        apply("ha.cluster.name", () -> b.clusterName(props.getCluster().getName()));
        String id = props.getAgent().getId();
        if (id != null && !id.isBlank()) {
            apply("ha.agent.id", () -> b.agentId(id.trim()));
        }
        apply("ha.session.timeout", () -> b.sessionTimeout(required("ha.session.timeout",
                props.getSession().getTimeout())));
        apply("ha.connection.timeout", () -> b.connectionTimeout(required("ha.connection.timeout",
                props.getConnection().getTimeout())));
        apply("ha.capacity", () -> b.capacity(props.getCapacity()));
        apply("ha.labels", () -> b.labels(props.getLabels() == null ? Set.of() : props.getLabels()));
        apply("ha.role", () -> b.role(role()));
        if (props.getCluster().getMaxAgentCapacity() != null) {
            apply("ha.cluster.max-agent-capacity", () -> b.maxAgentCapacity(props.getCluster().getMaxAgentCapacity()));
        }
        credentials().ifPresent(c -> b.credentials(c));
        if (props.getZk().getRolesFile() != null) {
            Path file = props.getZk().getRolesFile();
            apply("ha.zk.roles-file", () -> b.roles(Roles.read(file)));
        }
        if (props.getZk().getTls().isEnabled()) {
            apply("ha.zk.tls.enabled", () -> b.tls(tls()));
        }
        try {
            b.config();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new InvalidHaPropertyException(propertyOf(e.getMessage()), e.getMessage());
        }
        return b;
    }

    /** The cluster, built and not started. */
    public HaCluster build() {
        return builder().build();
    }

    private void checkEmbeddedAllowed() {
        if (props.getEmbedded().isAllowed()) {
            return;
        }
        Set<String> refused = Set.copyOf(props.getEmbedded().getRefusedProfiles().stream()
                .map(p -> p.toLowerCase(Locale.ROOT)).toList());
        Arrays.stream(env.getActiveProfiles()).filter(p -> refused.contains(p.toLowerCase(Locale.ROOT))).findFirst()
                .ifPresent(p -> {
                    throw new InvalidHaPropertyException("ha.zk.connect", "is not set while profile '" + p
                            + "' is active; an embedded ZooKeeper is for development only. Set ha.zk.connect, or "
                            + "ha.embedded.allowed=true to start one anyway");
                });
    }

    private ClusterRole role() {
        String role = props.getRole() == null ? "" : props.getRole().trim().toLowerCase(Locale.ROOT);
        return switch (role) {
            case "member" -> ClusterRole.MEMBER;
            case "observer" -> ClusterRole.OBSERVER;
            default -> throw new IllegalArgumentException("must be member or observer, got '" + props.getRole()
                    + "'");
        };
    }

    private Optional<Credentials> credentials() {
        Path file = props.getZk().getAuthFile();
        if (file != null) {
            String text;
            try {
                Set<PosixFilePermission> perms = permissions(file);
                if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                    throw new InvalidHaPropertyException("ha.zk.auth-file", file + " is readable by group or others; "
                            + "chmod 600 it");
                }
                text = Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new InvalidHaPropertyException("ha.zk.auth-file", "cannot read " + file + ": " + e);
            }
            return Optional.of(parse("ha.zk.auth-file", text));
        }
        String fromEnv = getenv.apply(AUTH_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(parse(AUTH_ENV, fromEnv.trim()));
        }
        return Optional.empty();
    }

    private static Set<PosixFilePermission> permissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return Set.of(); // Not a POSIX file system: nothing to check, as the agent does.
        }
    }

    private static Credentials parse(String property, String text) {
        try {
            return Credentials.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidHaPropertyException(property, e.getMessage()); // Credentials.parse never echoes input.
        }
    }

    private ZooKeeperTls tls() {
        HaProperties.Tls t = props.getZk().getTls();
        required("ha.zk.tls.truststore", t.getTruststore());
        required("ha.zk.tls.truststore-password-file", t.getTruststorePasswordFile());
        if ((t.getKeystore() == null) != (t.getKeystorePasswordFile() == null)) {
            throw new InvalidHaPropertyException(t.getKeystore() == null ? "ha.zk.tls.keystore"
                    : "ha.zk.tls.keystore-password-file", "ha.zk.tls.keystore and ha.zk.tls.keystore-password-file go "
                    + "together: set both or neither");
        }
        return new ZooKeeperTls(t.getTruststore(), t.getTruststorePasswordFile(), t.getKeystore(),
                t.getKeystorePasswordFile());
    }

    private static <T> T required(String property, T value) {
        if (value == null) {
            throw new InvalidHaPropertyException(property, "must be set");
        }
        return value;
    }

    private static void apply(String property, Runnable setter) {
        try {
            setter.run();
        } catch (InvalidHaPropertyException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            throw new InvalidHaPropertyException(property, e.getMessage());
        }
    }

    /** For a check that spans several settings (the builder's own): the property its message is about. */
    private static String propertyOf(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (m.contains("tls")) {
            return "ha.zk.tls.enabled";
        }
        if (m.contains("roles") || m.contains("credentials")) {
            return "ha.zk.roles-file";
        }
        if (m.contains("capacity")) {
            return "ha.capacity";
        }
        if (m.contains("connection timeout")) {
            return "ha.connection.timeout";
        }
        if (m.contains("session")) {
            return "ha.session.timeout";
        }
        return "ha";
    }
}
