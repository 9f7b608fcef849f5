package io.ha.agent.exec;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fresh working directory for one exec attempt, mode 0700, under a root directory that only the agent's user may
 * write; {@link #close()} removes it with everything in it (symbolic links are removed, never followed).
 *
 * <p>Guarantee: no other local account can read or plant files in the directory, and one attempt never sees another's
 * files. Not guaranteed: removal of files the command made undeletable for the agent's user (a WARN names the
 * directory), or anything the command wrote outside it.
 */
final class TaskDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskDirectory.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** The root when commands run as another account: it may enter (to reach its own directory), not list. */
    private static final Set<PosixFilePermission> ENTER_ONLY = PosixFilePermissions.fromString("rwx--x--x");

    private final Path path;

    private TaskDirectory(Path path) {
        this.path = path;
    }

    /** The default root: {@code ha-exec-<user>} in the JVM's temporary directory. */
    static Path defaultRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "ha-exec-" + System.getProperty("user.name"));
    }

    /**
     * Creates the root (0700) when missing, then the attempt's directory in it.
     *
     * @throws IOException naming the root when it cannot be created, is a symbolic link, or is writable by others
     */
    static TaskDirectory create(Path root, String taskId, int attempt) throws IOException {
        return create(root, taskId, attempt, null);
    }

    /**
     * As {@link #create(Path, String, int)}; with an {@code owner} the directory is given to that account and the
     * root is made 0711, so the account can enter its own directory but not list the root or enter the others'.
     */
    static TaskDirectory create(Path root, String taskId, int attempt, ExecUser owner) throws IOException {
        checkRoot(root);
        if (owner != null) {
            Files.setPosixFilePermissions(root, ENTER_ONLY);
        }
        String prefix = taskId.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + attempt + "-";
        Path dir = Files.createTempDirectory(root, prefix, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        if (owner != null) {
            try {
                Files.setAttribute(dir, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dir, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | RuntimeException e) {
                new TaskDirectory(dir).close();
                throw new IOException("cannot give " + dir + " to " + owner.name() + " (" + e.getMessage() + ")", e);
            }
        }
        return new TaskDirectory(dir);
    }

    private static void checkRoot(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(root.getParent());
                Files.createDirectory(root, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Created by a concurrent attempt: checked below like any existing root.
            }
        }
        if (Files.isSymbolicLink(root) || !Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("exec work directory root " + root + " is not a directory (or is a symbolic link)");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(root, LinkOption.NOFOLLOW_LINKS);
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("exec work directory root " + root + " is writable by other accounts ("
                    + PosixFilePermissions.toString(perms) + "); it must be writable by the agent's user only");
        }
        Object owner = Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (!owner.equals(self)) {
            throw new IOException("exec work directory root " + root + " belongs to uid " + owner
                    + ", not to the agent's uid " + self);
        }
    }

    Path path() {
        return path;
    }

    /** Removes the directory and its content; failures are logged, never thrown. */
    @Override
    public void close() {
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    // A command may have taken its own rights away (chmod 000): give them back to descend.
                    Files.setPosixFilePermissions(dir, OWNER_ONLY);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("could not remove exec work directory {}: {}", path, e.toString());
        }
    }
}
