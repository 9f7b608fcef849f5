package io.ha.agent.exec;

import io.ha.agent.config.ConfigKey;
import io.ha.agent.config.FileAccess;
import io.ha.core.task.NonRetryableTaskException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a payload's secret variables ({@link ExecPayload#secretEnv()}) into their clear values on the agent, just
 * before the command starts: {@code file:NAME} is read from {@code exec.secrets.dir} (a regular file, not a symbolic
 * link, readable by its owner only; one final line break dropped), a sealed value is opened with the key of
 * {@code exec.secret.key.file}.
 *
 * <p>Guarantee: either every variable resolves, or {@link #resolve} fails with a {@link NonRetryableTaskException}
 * (the task fails at once: another attempt would meet the same file, key or payload) whose message names the variable
 * and the reason, never a value. A kind of reference the agent is not configured for is refused naming the key to
 * set. Not guaranteed: that the values stay secret from the command, which gets them in its environment.
 */
public final class SecretResolver {
    /** Larger files are refused: an environment variable is no place for more. */
    static final int MAX_FILE_BYTES = 64 * 1024;
    /** Refuses every secret variable, naming both keys. */
    public static final SecretResolver NONE = new SecretResolver(null, null);

    private final Path secretsDir;
    private final SecretCipher cipher;

    /**
     * @param secretsDir the directory of {@code file:} references, or null to refuse them
     * @param cipher     the cluster's key for sealed values, or null to refuse them
     */
    public SecretResolver(Path secretsDir, SecretCipher cipher) {
        this.secretsDir = secretsDir;
        this.cipher = cipher;
    }

    /**
     * @return the clear values by variable name, in the payload's order
     * @throws NonRetryableTaskException naming the first variable that cannot be resolved and why
     */
    public Map<String, String> resolve(Map<String, String> secretEnv) throws NonRetryableTaskException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : secretEnv.entrySet()) {
            try {
                values.put(e.getKey(), value(e.getKey(), SecretReference.parse(e.getValue())));
            } catch (SecretException ex) {
                throw new NonRetryableTaskException("secret variable " + e.getKey() + ": " + ex.getMessage());
            }
        }
        return values;
    }

    private String value(String name, SecretReference ref) throws SecretException {
        if (ref instanceof SecretReference.Sealed sealed) {
            if (cipher == null) {
                throw new SecretException("sealed values are refused: this agent has no "
                        + ConfigKey.EXEC_SECRET_KEY_FILE.key() + " (set it to the cluster's secret key file)");
            }
            return cipher.open(name, sealed);
        }
        return read(((SecretReference.File) ref).name());
    }

    private String read(String name) throws SecretException {
        if (secretsDir == null) {
            throw new SecretException("file references are refused: this agent has no "
                    + ConfigKey.EXEC_SECRETS_DIR.key() + " (set it to the directory of secret files)");
        }
        Path file = secretsDir.resolve(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new SecretException("file:" + name + (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    ? " is not a regular file" : " does not exist") + " in " + ConfigKey.EXEC_SECRETS_DIR.key() + " "
                    + secretsDir);
        }
        var exposed = FileAccess.secretExposed(file);
        if (exposed.isPresent()) {
            throw new SecretException("secret file " + file + " " + exposed.get());
        }
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new SecretException("secret file " + file + " is over " + MAX_FILE_BYTES + " bytes");
            }
            return dropFinalLineBreak(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SecretException("cannot read secret file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** One final {@code \n} or {@code \r\n} is the end of the file's line, not part of the secret. */
    static String dropFinalLineBreak(String s) {
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }
}
