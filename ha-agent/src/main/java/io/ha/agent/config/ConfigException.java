package io.ha.agent.config;

/**
 * A configuration the agent refuses to start with. The message names the key, where the value came from, the value
 * (never for a secret) and what is allowed, so it can be shown to an operator as it is; the agent exits with code 2.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ConfigKey key;
    private final transient String value;
    private final transient String allowed;

    public ConfigException(String message) {
        super(message);
        this.key = null;
        this.value = null;
        this.allowed = null;
    }

    private ConfigException(ConfigKey key, String origin, String value, String allowed) {
        super("config key '" + key.key() + "'" + (origin == null ? "" : " (from " + origin + ")") + ": value "
                + (key.secret() ? "(not shown: secret)" : "'" + value + "'") + " is not allowed; " + allowed);
        this.key = key;
        this.value = key.secret() ? null : value;
        this.allowed = allowed;
    }

    /** A bad value of {@code key}; for a secret key the value is never part of the message. */
    public static ConfigException badValue(ConfigKey key, String value, String allowed) {
        return new ConfigException(key, null, value, allowed);
    }

    /** The same error with where the value came from ({@code conf/ha-agent.properties}, {@code HA_ZK_CONNECT}). */
    ConfigException from(String origin) {
        return key == null ? this : new ConfigException(key, origin, value, allowed);
    }

    /** The key at fault, or null when the error concerns no single key. */
    public ConfigKey key() {
        return key;
    }
}
