package io.ha.agent;

import io.ha.core.cluster.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * ZooKeeper credentials for a test's own cluster: a random password in a file readable by this user only (0600),
 * the way an operator gives them to agents ({@code HA_ZK_AUTH_FILE}); the test's clients use {@link #credentials()}.
 */
public final class TestCredentials {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Credentials credentials;

    private TestCredentials(Path file, Credentials credentials) {
        this.file = file;
        this.credentials = credentials;
    }

    /** Writes {@code dir/zk-auth} (if not written yet) with fresh credentials. */
    public static TestCredentials in(Path dir) throws IOException {
        Path file = dir.resolve("zk-auth");
        if (Files.exists(file)) {
            return new TestCredentials(file, Credentials.parse(Files.readString(file).strip()));
        }
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        Credentials c = new Credentials("agents", Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        Files.createDirectories(dir);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, c.user() + ":" + c.password() + "\n", StandardCharsets.UTF_8);
        return new TestCredentials(file, c);
    }

    public Path file() {
        return file;
    }

    public Credentials credentials() {
        return credentials;
    }

    /** The password, for tests that check it is never printed. */
    public String password() {
        return credentials.password();
    }
}
