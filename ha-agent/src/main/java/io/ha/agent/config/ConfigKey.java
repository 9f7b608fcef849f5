package io.ha.agent.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every key the agent understands, with its default (as written in {@code conf/ha-agent.properties}) and the name
 * of the environment variable that overrides it. A key that is not listed here is refused at start.
 */
public enum ConfigKey {
    ZK_CONNECT("zk.connect", ""),
    ZK_AUTH("zk.auth", "", true),
    ZK_AUTH_FILE("zk.auth.file", ""),
    CLUSTER_NAME("cluster.name", "default"),
    AGENT_ID("agent.id", ""),
    SESSION_TIMEOUT("session.timeout", "15s"),
    CONNECTION_TIMEOUT("connection.timeout", "10s"),
    CAPACITY("capacity", ""),
    LABELS("labels", ""),
    HTTP_HOST("http.host", "127.0.0.1"),
    HTTP_PORT("http.port", "0"),
    HTTP_TOKEN("http.token", "", true),
    HTTP_TOKEN_FILE("http.token.file", ""),
    HTTP_CONSOLE_TOKEN("http.console.token", "", true),
    HTTP_CONSOLE_TOKEN_FILE("http.console.token.file", ""),
    HTTP_CONSOLE_HOSTS("http.console.hosts", ""),
    DRAIN_TIMEOUT("drain.timeout", "30s"),
    EXEC_ENABLED("exec.enabled", "true"),
    EXEC_CONCURRENCY("exec.concurrency", ""),
    EXEC_KILL_GRACE("exec.kill.grace", "5s"),
    EXEC_SECRETS_DIR("exec.secrets.dir", ""),
    EXEC_SECRET_KEY_FILE("exec.secret.key.file", ""),
    EXEC_USER("exec.user", ""),
    PLUGINS_DIR("plugins.dir", "plugins"),
    LOG_DIR("log.dir", "logs"),
    SECURITY_INSECURE("security.insecure", "false"),
    SECURITY_REQUIRE_TLS("security.require-tls", "false"),
    ZK_TLS_ENABLED("zk.tls.enabled", "false"),
    ZK_TLS_TRUSTSTORE("zk.tls.truststore", ""),
    ZK_TLS_TRUSTSTORE_PASSWORD_FILE("zk.tls.truststore.password.file", ""),
    ZK_TLS_KEYSTORE("zk.tls.keystore", ""),
    ZK_TLS_KEYSTORE_PASSWORD_FILE("zk.tls.keystore.password.file", ""),
    ZK_ROLES_FILE("zk.roles.file", ""),
    CLUSTER_MAX_AGENT_CAPACITY("cluster.max-agent-capacity", "1024");

    private static final Map<String, ConfigKey> BY_KEY = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ConfigKey::key, Function.identity()));
    private static final Map<String, ConfigKey> BY_ENV = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ConfigKey::envName, Function.identity()));

    private final String key;
    private final String defaultValue;
    private final boolean secret;

    ConfigKey(String key, String defaultValue) {
        this(key, defaultValue, false);
    }

    ConfigKey(String key, String defaultValue, boolean secret) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.secret = secret;
    }

    /** The key as written in the properties file, such as {@code zk.connect}. */
    public String key() {
        return key;
    }

    /** The default as written in the properties file; empty means "not set" (each key says what that implies). */
    public String defaultValue() {
        return defaultValue;
    }

    /** True for credentials and tokens: never printed, never accepted on the command line. */
    public boolean secret() {
        return secret;
    }

    /** {@code HA_} and the key in upper case with dots and dashes as underscores: {@code HA_ZK_CONNECT}. */
    public String envName() {
        return "HA_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static Optional<ConfigKey> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    public static Optional<ConfigKey> byEnvName(String name) {
        return Optional.ofNullable(BY_ENV.get(name));
    }

    /** All keys, comma separated, for error messages. */
    public static String allKeys() {
        return Arrays.stream(values()).map(ConfigKey::key).collect(Collectors.joining(", "));
    }
}
