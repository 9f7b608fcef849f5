package io.ha.agent.exec;

import io.ha.agent.config.ConfigKey;
import io.ha.agent.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The account exec commands run as ({@code exec.user}), resolved once at start with {@code getent passwd}: commands
 * start through {@code setpriv --reuid=U --regid=G --init-groups} with {@code HOME} set to the account's home.
 *
 * <p>Guarantee: {@link #resolve} refuses (a {@link ConfigException} naming the key) an agent that is not root, an
 * unknown account and a missing {@code setpriv}, so a configured user is never silently ignored. Not guaranteed:
 * that the account is unprivileged (naming {@code root} runs commands as root), nor that the account's files are
 * out of reach of other commands run as the same account.
 *
 * @param name the account's name
 * @param uid  its user id
 * @param gid  its primary group id
 * @param home its home directory
 */
public record ExecUser(String name, int uid, int gid, String home) {
    static final String SETPRIV = "/usr/bin/setpriv";

    /**
     * The pure decision whether an agent running as {@code agentUid} may run commands as {@code user}: empty when it
     * may, else the reason, naming the key.
     */
    public static Optional<String> refusal(String user, long agentUid) {
        if (user == null || user.isEmpty() || agentUid == 0) {
            return Optional.empty();
        }
        return Optional.of(ConfigKey.EXEC_USER.key() + "=" + user + " needs the agent to run as root (it runs as uid "
                + agentUid + "): start it as root, or leave " + ConfigKey.EXEC_USER.key() + " empty to run commands "
                + "as the agent's own user");
    }

    /**
     * Checks that this agent may switch to {@code name} and looks it up.
     *
     * @throws ConfigException naming {@code exec.user} when the agent is not root, the account is unknown or
     *                         {@code setpriv} is missing
     */
    public static ExecUser resolve(String name) {
        refusal(name, agentUid()).ifPresent(reason -> {
            throw new ConfigException(reason);
        });
        if (!Files.isExecutable(Path.of(SETPRIV))) {
            throw new ConfigException(ConfigKey.EXEC_USER.key() + "=" + name + " needs " + SETPRIV
                    + " (util-linux), which is missing");
        }
        String entry = getent(name);
        String[] f = entry == null ? new String[0] : entry.split(":", -1);
        if (f.length < 7 || !f[0].equals(name)) {
            throw new ConfigException(ConfigKey.EXEC_USER.key() + "=" + name + ": no such user (getent passwd "
                    + name + " finds no account)");
        }
        try {
            return new ExecUser(name, Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5]);
        } catch (NumberFormatException e) {
            throw new ConfigException(ConfigKey.EXEC_USER.key() + "=" + name + ": getent passwd gives no numeric "
                    + "uid and gid");
        }
    }

    /** {@code command} started as this account. */
    List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(command.size() + 4);
        wrapped.add(SETPRIV);
        wrapped.add("--reuid=" + uid);
        wrapped.add("--regid=" + gid);
        wrapped.add("--init-groups");
        wrapped.addAll(command);
        return wrapped;
    }

    /** The uid this JVM runs as. */
    static long agentUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // No /proc (not Linux): assume unprivileged, so exec.user is refused rather than half applied.
            return -1;
        }
    }

    private static String getent(String name) {
        try {
            Process p = new ProcessBuilder("getent", "passwd", name).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            throw new ConfigException(ConfigKey.EXEC_USER.key() + "=" + name + ": cannot run getent ("
                    + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException(ConfigKey.EXEC_USER.key() + "=" + name + ": interrupted while looking it up");
        }
    }
}
