package io.ha.agent.config;

import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.Roles;
import io.ha.core.cluster.ZooKeeperTls;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the agent's configuration from three layers, each overriding the one before: the properties file, then
 * environment variables {@code HA_<KEY>} (see {@link ConfigKey#envName()}), then command-line flags. An empty value
 * means the key's default.
 *
 * <p>Guarantee: either returns a valid {@link AgentConfig} or throws a {@link ConfigException} naming the key, where
 * its value came from, the value (never for a secret) and what is allowed. Unknown keys in the file or among the
 * flags are refused; environment variables that name no key are ignored (other tools use {@code HA_*} too, such as
 * {@code HA_SUPERVISED}). Secrets ({@code zk.auth}, {@code http.token}) are refused on the command line, where every
 * user of the machine can read them in the process list. Relative paths are resolved against the base directory.
 */
public final class ConfigLoader {
    /** Shortest accepted HTTP token: long enough that guessing it over the network is hopeless. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private record Raw(String value, String origin) {
    }

    private final Map<String, String> env;
    private final Path baseDir;

    /**
     * @param env     the environment (normally {@link System#getenv()})
     * @param baseDir what relative paths are resolved against
     */
    public ConfigLoader(Map<String, String> env, Path baseDir) {
        this.env = Map.copyOf(env);
        this.baseDir = baseDir.toAbsolutePath().normalize();
    }

    /**
     * @param file         the properties file, or null for none
     * @param fileRequired whether a missing file is an error (true when the user named it)
     * @param flags        values given on the command line, by key
     */
    public AgentConfig load(Path file, boolean fileRequired, Map<String, String> flags) {
        Map<ConfigKey, Raw> raw = new EnumMap<>(ConfigKey.class);
        if (file != null) {
            readFile(resolve(file), fileRequired, raw);
        }
        env.forEach((name, value) -> ConfigKey.byEnvName(name)
                .ifPresent(key -> raw.put(key, new Raw(value, "environment variable " + name))));
        flags.forEach((name, value) -> {
            ConfigKey key = ConfigKey.byKey(name).orElseThrow(() -> new ConfigException("unknown config key '" + name
                    + "' on the command line; known keys: " + ConfigKey.allKeys()));
            if (key.secret()) {
                throw new ConfigException("config key '" + name + "' is a secret and is not accepted on the command "
                        + "line (every user can read it in the process list); use the environment variable "
                        + key.envName() + " or '" + name + ".file'");
            }
            raw.put(key, new Raw(value, "command line"));
        });
        return build(raw);
    }

    private void readFile(Path file, boolean required, Map<ConfigKey, Raw> raw) {
        if (!Files.exists(file)) {
            if (required) {
                throw new ConfigException("config file " + file + " does not exist");
            }
            return;
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        for (String name : props.stringPropertyNames()) {
            ConfigKey key = ConfigKey.byKey(name).orElseThrow(() -> new ConfigException("unknown config key '" + name
                    + "' in " + file + "; known keys: " + ConfigKey.allKeys()));
            raw.put(key, new Raw(props.getProperty(name), file.toString()));
        }
    }

    private AgentConfig build(Map<ConfigKey, Raw> raw) {
        AgentConfig.Builder b = AgentConfig.builder();
        for (ConfigKey key : ConfigKey.values()) {
            Raw r = raw.get(key);
            String value = r == null || r.value().isBlank() ? key.defaultValue() : r.value().trim();
            try {
                apply(b, key, value);
            } catch (ConfigException e) {
                throw r == null ? e : e.from(r.origin());
            }
        }
        String auth = valueOf(raw, ConfigKey.ZK_AUTH);
        String authFile = valueOf(raw, ConfigKey.ZK_AUTH_FILE);
        if (!auth.isEmpty() && !authFile.isEmpty()) {
            throw new ConfigException("set only one of 'zk.auth' (" + raw.get(ConfigKey.ZK_AUTH).origin()
                    + ") and 'zk.auth.file' (" + raw.get(ConfigKey.ZK_AUTH_FILE).origin() + ")");
        }
        if (!auth.isEmpty() || !authFile.isEmpty()) {
            ConfigKey key = auth.isEmpty() ? ConfigKey.ZK_AUTH_FILE : ConfigKey.ZK_AUTH;
            String secret = auth.isEmpty() ? readSecretFile(key, authFile) : auth;
            try {
                b.zkCredentials(Credentials.parse(secret));
            } catch (IllegalArgumentException e) {
                // Name the key that was set: the file's (shown as its path), or the secret's (never shown).
                String shown = auth.isEmpty() ? resolve(Path.of(authFile)).toString() : secret;
                throw ConfigException.badValue(key, shown, "expected digest credentials of the form user:password"
                        + (auth.isEmpty() ? " in the file" : "")).from(raw.get(key).origin());
            }
        }
        b.httpToken(token(raw, ConfigKey.HTTP_TOKEN, ConfigKey.HTTP_TOKEN_FILE));
        b.consoleToken(token(raw, ConfigKey.HTTP_CONSOLE_TOKEN, ConfigKey.HTTP_CONSOLE_TOKEN_FILE));
        b.zkTls(tls(raw));
        b.exec(execSecurity(raw));
        String rolesFile = valueOf(raw, ConfigKey.ZK_ROLES_FILE);
        if (!rolesFile.isEmpty()) {
            Path file = resolve(path(ConfigKey.ZK_ROLES_FILE, rolesFile));
            try {
                b.zkRoles(Roles.read(file));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("config key 'zk.roles.file': " + e.getMessage())
                        .from(raw.get(ConfigKey.ZK_ROLES_FILE).origin());
            }
        }
        return b.build();
    }

    /** A token given as a secret key or in a file (one of the two), or null when neither is set. */
    private Secret token(Map<ConfigKey, Raw> raw, ConfigKey plainKey, ConfigKey fileKey) {
        String token = valueOf(raw, plainKey);
        String tokenFile = valueOf(raw, fileKey);
        if (!token.isEmpty() && !tokenFile.isEmpty()) {
            throw new ConfigException("set only one of '" + plainKey.key() + "' (" + raw.get(plainKey).origin()
                    + ") and '" + fileKey.key() + "' (" + raw.get(fileKey).origin() + ")");
        }
        if (token.isEmpty() && tokenFile.isEmpty()) {
            return null;
        }
        ConfigKey key = token.isEmpty() ? fileKey : plainKey;
        String secret = token.isEmpty() ? readSecretFile(key, tokenFile) : token;
        if (secret.length() < MIN_TOKEN_LENGTH || secret.chars().anyMatch(Character::isWhitespace)) {
            String shown = token.isEmpty() ? resolve(Path.of(tokenFile)).toString() : secret;
            throw ConfigException.badValue(key, shown, "expected at least " + MIN_TOKEN_LENGTH
                    + " characters without spaces" + (token.isEmpty() ? " in the file" : ""))
                    .from(raw.get(key).origin());
        }
        return new Secret(secret);
    }

    /** The zk.tls.* keys together: null when TLS is off (and then none of the files may be set). */
    private ZooKeeperTls tls(Map<ConfigKey, Raw> raw) {
        ConfigKey enabledKey = ConfigKey.ZK_TLS_ENABLED;
        String enabled = valueOf(raw, enabledKey);
        boolean on = bool(enabledKey, enabled.isEmpty() ? enabledKey.defaultValue() : enabled);
        List<ConfigKey> files = List.of(ConfigKey.ZK_TLS_TRUSTSTORE, ConfigKey.ZK_TLS_TRUSTSTORE_PASSWORD_FILE,
                ConfigKey.ZK_TLS_KEYSTORE, ConfigKey.ZK_TLS_KEYSTORE_PASSWORD_FILE);
        if (!on) {
            for (ConfigKey key : files) {
                if (!valueOf(raw, key).isEmpty()) {
                    throw new ConfigException("config key '" + key.key() + "' (" + raw.get(key).origin()
                            + ") is set but zk.tls.enabled is not true: set zk.tls.enabled=true to use TLS");
                }
            }
            return null;
        }
        Path[] paths = new Path[files.size()];
        for (int i = 0; i < files.size(); i++) {
            String value = valueOf(raw, files.get(i));
            paths[i] = value.isEmpty() ? null : resolve(path(files.get(i), value));
        }
        if (paths[0] == null || paths[1] == null) {
            throw new ConfigException("zk.tls.enabled=true needs zk.tls.truststore and "
                    + "zk.tls.truststore.password.file (the CA certificates of the ZooKeeper servers)");
        }
        try {
            return new ZooKeeperTls(paths[0], paths[1], paths[2], paths[3]);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("zk.tls.*: " + e.getMessage());
        }
    }

    /** exec.secrets.dir, exec.secret.key.file and exec.user; the agent checks the files and the account at start. */
    private ExecSecurity execSecurity(Map<ConfigKey, Raw> raw) {
        String dir = valueOf(raw, ConfigKey.EXEC_SECRETS_DIR);
        String keyFile = valueOf(raw, ConfigKey.EXEC_SECRET_KEY_FILE);
        String user = valueOf(raw, ConfigKey.EXEC_USER);
        try {
            return new ExecSecurity(dir.isEmpty() ? null : resolve(path(ConfigKey.EXEC_SECRETS_DIR, dir)),
                    keyFile.isEmpty() ? null : resolve(path(ConfigKey.EXEC_SECRET_KEY_FILE, keyFile)),
                    user.isEmpty() ? null : user);
        } catch (ConfigException e) {
            Raw r = e.key() == null ? null : raw.get(e.key());
            throw r == null ? e : e.from(r.origin());
        }
    }

    private static Path path(ConfigKey key, String value) {
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw ConfigException.badValue(key, value, "expected a file path");
        }
    }

    private static String valueOf(Map<ConfigKey, Raw> raw, ConfigKey key) {
        Raw r = raw.get(key);
        return r == null ? "" : r.value().trim();
    }

    private void apply(AgentConfig.Builder b, ConfigKey key, String value) {
        switch (key) {
            case ZK_CONNECT -> b.zkConnect(value);
            case CLUSTER_NAME -> b.clusterName(value);
            case AGENT_ID -> b.agentId(value.isEmpty() ? null : value);
            case SESSION_TIMEOUT -> b.sessionTimeout(duration(key, value));
            case CONNECTION_TIMEOUT -> b.connectionTimeout(duration(key, value));
            case CAPACITY -> b.capacity(value.isEmpty() ? null : integer(key, value));
            case LABELS -> b.labels(value);
            case HTTP_HOST -> b.httpHost(value);
            case HTTP_PORT -> b.httpPort(integer(key, value));
            case DRAIN_TIMEOUT -> b.drainTimeout(duration(key, value));
            case EXEC_ENABLED -> b.execEnabled(bool(key, value));
            case EXEC_CONCURRENCY -> b.execConcurrency(value.isEmpty() ? null : integer(key, value));
            case EXEC_KILL_GRACE -> b.execKillGrace(duration(key, value));
            case PLUGINS_DIR -> b.pluginsDir(resolve(path(key, value)));
            case LOG_DIR -> b.logDir(resolve(path(key, value)));
            case SECURITY_INSECURE -> b.securityInsecure(bool(key, value));
            case SECURITY_REQUIRE_TLS -> b.securityRequireTls(bool(key, value));
            case CLUSTER_MAX_AGENT_CAPACITY -> b.maxAgentCapacity(integer(key, value));
            case HTTP_CONSOLE_HOSTS -> b.consoleHosts(value);
            case ZK_AUTH, ZK_AUTH_FILE, HTTP_TOKEN, HTTP_TOKEN_FILE, HTTP_CONSOLE_TOKEN, HTTP_CONSOLE_TOKEN_FILE,
                    ZK_TLS_ENABLED, ZK_TLS_TRUSTSTORE,
                    ZK_TLS_TRUSTSTORE_PASSWORD_FILE, ZK_TLS_KEYSTORE, ZK_TLS_KEYSTORE_PASSWORD_FILE, EXEC_SECRETS_DIR,
                    EXEC_SECRET_KEY_FILE, EXEC_USER, ZK_ROLES_FILE -> {
                // Secrets are read after the other keys, once it is known which of the pair is set; the TLS keys
                // go together, and so do the exec security keys.
            }
        }
    }

    private static Duration duration(ConfigKey key, String value) {
        try {
            return Durations.parse(key.key(), value);
        } catch (IllegalArgumentException e) {
            throw ConfigException.badValue(key, value, Durations.ALLOWED);
        }
    }

    private static int integer(ConfigKey key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ConfigException.badValue(key, value, key == ConfigKey.HTTP_PORT
                    ? "expected a port number in 0-65535 (0 picks a free port)"
                    : "expected a whole number in 1-" + (key == ConfigKey.CLUSTER_MAX_AGENT_CAPACITY ? 1_000_000
                    : AgentConfig.MAX_SLOTS));
        }
    }

    private static boolean bool(ConfigKey key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ConfigException.badValue(key, value, "expected true or false");
        };
    }

    private String readSecretFile(ConfigKey key, String name) {
        Path file = resolve(path(key, name));
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (content.isEmpty()) {
                throw ConfigException.badValue(key, file.toString(), "the file is empty");
            }
            FileAccess.secretExposed(file).ifPresent(problem -> {
                throw ConfigException.badValue(key, file.toString(), "the secret file " + file + " " + problem);
            });
            return content;
        } catch (IOException e) {
            throw ConfigException.badValue(key, file.toString(), "the file cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private Path resolve(Path p) {
        return baseDir.resolve(p).normalize();
    }
}
