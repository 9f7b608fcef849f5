package io.ha.agent.config;

import java.nio.file.Path;

/**
 * The exec handler's secret and account keys, as configured: {@code exec.secrets.dir} (the directory of
 * {@code file:NAME} secrets), {@code exec.secret.key.file} (the cluster's key for sealed values) and
 * {@code exec.user} (the account commands run as). Null means not set: that kind of secret is refused, commands run
 * as the agent's user.
 *
 * <p>Guarantee: the user name is a plain account name. Not guaranteed: that the paths exist or the account exists;
 * the agent checks those when it starts ({@code ExecSettings}), and exits 2 naming the key.
 *
 * @param secretsDir    directory of secret files, or null
 * @param secretKeyFile the cluster's secret key file, or null
 * @param user          account commands run as, or null
 */
public record ExecSecurity(Path secretsDir, Path secretKeyFile, String user) {
    /** Nothing set. */
    public static final ExecSecurity NONE = new ExecSecurity(null, null, null);

    public ExecSecurity {
        user = user == null || user.isBlank() ? null : user.trim();
        if (user != null && !user.matches("[A-Za-z_][A-Za-z0-9._-]{0,63}\\$?")) {
            throw ConfigException.badValue(ConfigKey.EXEC_USER, user, "expected an account name such as nobody "
                    + "(letters, digits, '.', '_', '-'), or empty to run commands as the agent's user");
        }
    }

    @Override
    public String toString() {
        return "exec.secrets.dir=" + (secretsDir == null ? "(none)" : secretsDir)
                + ", exec.secret.key.file=" + (secretKeyFile == null ? "(none)" : secretKeyFile)
                + ", exec.user=" + (user == null ? "(the agent's)" : user);
    }
}
