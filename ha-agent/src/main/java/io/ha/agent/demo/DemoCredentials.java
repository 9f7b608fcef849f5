package io.ha.agent.demo;

import io.ha.core.cluster.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The demo cluster's ZooKeeper credentials: a random password, written as {@code user:password} to a file only the
 * current user can read (mode 0600, set when the file is created, so it is never readable by others), given to the
 * demo's agents as {@code zk.auth.file} and used by the demo's own clients. Not guaranteed: secrecy from the same
 * user or root, or on a file system without POSIX permissions (creation then fails rather than leak the secret).
 */
final class DemoCredentials {
    static final String USER = "ha-demo";
    private static final SecureRandom RANDOM = new SecureRandom();

    private DemoCredentials() {
    }

    /** Creates {@code file} (which must not exist) holding fresh credentials; returns them. */
    static Credentials create(Path file) throws IOException {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        Credentials credentials = new Credentials(USER, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, credentials.user() + ":" + credentials.password() + "\n", StandardCharsets.UTF_8);
        return credentials;
    }
}
