package io.ha.agent.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import java.util.Set;

/**
 * Who else may read or change a file the agent trusts. Secret files ({@code zk.auth.file}, {@code http.token.file},
 * ha-ctl's {@code --auth-file}) must be readable by their owner only; plug-in directories and jars, which run as code
 * inside the agent, must be owned by the agent's user (or root) and writable by nobody else. The agent and ha-ctl
 * refuse such files.
 *
 * <p>Guarantee: each check reads the file's POSIX mode and owner once (following symbolic links) and names the
 * problem with the mode in octal and symbolic form. Not guaranteed: parent directories are not checked (a parent
 * writable by others lets them replace the file), a file changed after the check is not noticed, and on a file system
 * without POSIX permissions every check passes.
 */
public final class FileAccess {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS_READ =
            Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS_WRITE =
            Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private FileAccess() {
    }

    /**
     * Why a secret file is exposed, such as {@code "is readable by group or others (mode 0644, rw-r--r--); chmod 600
     * it"}, or empty when only its owner can read it (or it cannot be checked: missing, or not POSIX).
     */
    public static Optional<String> secretExposed(Path file) {
        Set<PosixFilePermission> perms = permissions(file);
        if (perms == null || perms.stream().noneMatch(GROUP_OR_OTHERS_READ::contains)) {
            return Optional.empty();
        }
        return Optional.of("is readable by group or others (mode " + mode(perms) + "); chmod 600 it");
    }

    /**
     * Why others than the agent's user could change a plug-in directory or jar, such as {@code "is writable by group
     * or others (mode 0777, rwxrwxrwx); chmod go-w it"} or {@code "is owned by bob, not by the agent's user ha"}, or
     * empty when they cannot (or it cannot be checked: missing, or not POSIX).
     */
    public static Optional<String> othersCanModify(Path path) {
        Set<PosixFilePermission> perms = permissions(path);
        if (perms == null) {
            return Optional.empty();
        }
        if (perms.stream().anyMatch(GROUP_OR_OTHERS_WRITE::contains)) {
            return Optional.of("is writable by group or others (mode " + mode(perms) + "); chmod go-w it");
        }
        String user = System.getProperty("user.name");
        try {
            UserPrincipal owner = Files.getOwner(path);
            UserPrincipal self = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            if (!owner.equals(self) && !"root".equals(owner.getName())) {
                return Optional.of("is owned by " + owner.getName() + ", not by the agent's user " + user
                        + " (mode " + mode(perms) + ")");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // The agent's user has no entry in the user database (some containers): only the mode can be checked.
        }
        return Optional.empty();
    }

    /**
     * Creates {@code dir} and its missing parents readable by their owner only (0700), so that the files written in
     * it (logs, data) are private whatever their own mode. An existing directory is left as it is.
     */
    public static Path createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        try {
            return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } catch (UnsupportedOperationException e) {
            return Files.createDirectories(dir); // Not a POSIX file system: the platform's defaults apply.
        }
    }

    /** {@code "0644, rw-r--r--"}. */
    static String mode(Set<PosixFilePermission> perms) {
        int bits = 0;
        for (PosixFilePermission p : perms) {
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o, %s", bits, PosixFilePermissions.toString(perms));
    }

    private static Set<PosixFilePermission> permissions(Path path) {
        try {
            return Files.getPosixFilePermissions(path);
        } catch (IOException | UnsupportedOperationException e) {
            // Missing (the caller reports that when it reads the file) or not a POSIX file system: nothing to check.
            return null;
        }
    }
}
