package io.ha.agent.exec;

import io.ha.agent.config.AgentConfig;
import io.ha.agent.config.ConfigException;
import io.ha.agent.config.ConfigKey;
import io.ha.agent.config.ExecSecurity;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the agent's exec handler from its configuration, checking at start what the configuration alone cannot:
 * the secret key file (a regular file readable by its owner only, holding a key) and the account of
 * {@code exec.user} (the agent is root, {@code getent passwd} knows it).
 *
 * <p>Guarantee: either returns a handler that uses every configured setting or throws a {@link ConfigException}
 * naming the key and the problem (the agent then exits 2 before it joins the cluster). Not guaranteed: that
 * {@code exec.secrets.dir} exists (each task's {@code file:} reference is checked when it runs, so files can be added
 * while the agent runs).
 */
public final class ExecSettings {
    private static final Logger LOG = LoggerFactory.getLogger(ExecSettings.class);

    private ExecSettings() {
    }

    /** @throws ConfigException naming exec.secret.key.file or exec.user */
    public static ExecHandler handler(AgentConfig config) {
        ExecSecurity exec = config.exec();
        SecretCipher cipher = null;
        if (exec.secretKeyFile() != null) {
            try {
                cipher = SecretCipher.load(exec.secretKeyFile());
            } catch (SecretException e) {
                throw new ConfigException("config key '" + ConfigKey.EXEC_SECRET_KEY_FILE.key() + "': "
                        + e.getMessage());
            }
            LOG.info("exec: sealed secret values open with key {} ({})", cipher.keyId(), exec.secretKeyFile());
        }
        ExecUser user = exec.user() == null ? null : ExecUser.resolve(exec.user());
        if (user != null) {
            LOG.info("exec: commands run as {} (uid {}, gid {}, home {})", user.name(), user.uid(), user.gid(),
                    user.home());
        }
        return new ExecHandler(config.execKillGrace(), TaskDirectory.defaultRoot(), List.of(),
                new SecretResolver(exec.secretsDir(), cipher), user);
    }
}
