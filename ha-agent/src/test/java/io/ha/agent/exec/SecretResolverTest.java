package io.ha.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.task.NonRetryableTaskException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret variables resolved on the agent; every failure names the variable and the reason, never the value. */
class SecretResolverTest {
    private static final String VALUE = "hunter2-very-secret";

    @TempDir
    Path dir;

    private Path secrets;
    private SecretCipher cipher;

    @BeforeEach
    void setUp() throws Exception {
        secrets = Files.createDirectory(dir.resolve("secrets"));
        write("db", VALUE + "\n", "rw-------");
        cipher = SecretCipher.generate(dir.resolve("key"));
    }

    private Path write(String name, String content, String mode) throws Exception {
        Path file = Files.writeString(secrets.resolve(name), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private void assertRefused(SecretResolver resolver, String variable, String reference, String reason) {
        assertThatThrownBy(() -> resolver.resolve(Map.of(variable, reference)))
                .isInstanceOf(NonRetryableTaskException.class)
                .hasMessageStartingWith("secret variable " + variable + ": ").hasMessageContaining(reason)
                .hasMessageNotContaining(VALUE);
    }

    @Test
    void resolvesFileAndSealedValues() throws Exception {
        SecretResolver resolver = new SecretResolver(secrets, cipher);
        assertThat(resolver.resolve(Map.of("A", "file:db", "B", cipher.seal("B", VALUE))))
                .containsEntry("A", VALUE).containsEntry("B", VALUE);
    }

    @Test
    void refusesWhatTheAgentIsNotConfiguredForNamingTheKey() {
        assertRefused(SecretResolver.NONE, "A", "file:db", "exec.secrets.dir");
        assertRefused(SecretResolver.NONE, "B", cipher.seal("B", VALUE), "exec.secret.key.file");
    }

    @Test
    void refusesBadFiles() throws Exception {
        SecretResolver resolver = new SecretResolver(secrets, cipher);
        write("open", VALUE, "rw-r-----");
        Files.createSymbolicLink(secrets.resolve("link"), secrets.resolve("db"));
        Files.writeString(dir.resolve("x"), VALUE);
        assertRefused(resolver, "A", "file:missing", "does not exist");
        assertRefused(resolver, "A", "file:open", "readable by group or others");
        assertRefused(resolver, "A", "file:link", "not a regular file");
        assertRefused(resolver, "A", "file:../x", "plain file");
    }

    @Test
    void refusesForeignTamperedAndMovedSealedValues() throws Exception {
        SecretResolver resolver = new SecretResolver(secrets, cipher);
        SecretCipher other = SecretCipher.generate(dir.resolve("other-key"));
        assertRefused(resolver, "A", other.seal("A", VALUE), "sealed under key " + other.keyId());
        String sealed = cipher.seal("A", VALUE);
        char last = sealed.charAt(sealed.length() - 3);
        String tampered = sealed.substring(0, sealed.length() - 3) + (last == 'A' ? 'B' : 'A')
                + sealed.substring(sealed.length() - 2);
        assertRefused(resolver, "A", tampered, "does not authenticate");
        assertRefused(resolver, "B", sealed, "does not authenticate");
    }
}
