package io.ha.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster key: 0600 files, AES-GCM bound to the variable's name, failures that say why without the value. */
class SecretCipherTest {
    private static final String VALUE = "s3cr3t-Value-42";

    @TempDir
    Path dir;

    @Test
    void generatedKeyFileIsOwnerOnlyAndItsIdIsTheStartOfItsSha256() throws Exception {
        Path file = dir.resolve("key");
        SecretCipher cipher = SecretCipher.generate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        byte[] key = Base64.getDecoder().decode(Files.readString(file).strip());
        assertThat(key).hasSize(32);
        assertThat(cipher.keyId()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(key)).substring(0, 8));
        assertThat(SecretCipher.load(file).keyId()).isEqualTo(cipher.keyId());
    }

    @Test
    void generateNeverOverwrites() throws Exception {
        Path file = dir.resolve("key");
        SecretCipher.generate(file);
        String before = Files.readString(file);
        assertThatThrownBy(() -> SecretCipher.generate(file)).isInstanceOf(SecretException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not overwritten");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void sealedValueOpensUnderItsNameOnlyAndHidesTheValue() throws Exception {
        SecretCipher cipher = SecretCipher.generate(dir.resolve("key"));
        String sealed = cipher.seal("DB_PASSWORD", VALUE);
        assertThat(sealed).startsWith("v1:" + cipher.keyId() + ":").doesNotContain(VALUE)
                .doesNotContain(Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8)));
        assertThat(cipher.seal("DB_PASSWORD", VALUE)).as("fresh IV each time").isNotEqualTo(sealed);
        SecretReference.Sealed ref = (SecretReference.Sealed) SecretReference.parse(sealed);
        assertThat(cipher.open("DB_PASSWORD", ref)).isEqualTo(VALUE);
        assertThatThrownBy(() -> cipher.open("OTHER", ref)).isInstanceOf(SecretException.class)
                .hasMessageContaining("does not authenticate").hasMessageNotContaining(VALUE);
    }

    @Test
    void tamperedOrForeignValuesDoNotOpen() throws Exception {
        SecretCipher cipher = SecretCipher.generate(dir.resolve("key"));
        SecretCipher other = SecretCipher.generate(dir.resolve("other"));
        SecretReference.Sealed ref = (SecretReference.Sealed) SecretReference.parse(cipher.seal("A", VALUE));
        byte[] data = ref.data();
        data[data.length - 1] ^= 1;
        SecretReference.Sealed tampered = new SecretReference.Sealed(ref.keyId(), data);
        assertThatThrownBy(() -> cipher.open("A", tampered)).hasMessageContaining("does not authenticate");
        assertThatThrownBy(() -> other.open("A", ref)).hasMessageContaining("sealed under key " + cipher.keyId())
                .hasMessageContaining(other.keyId());
    }

    @Test
    void loadRefusesExposedMissingOrMalformedKeyFiles() throws Exception {
        Path file = dir.resolve("key");
        SecretCipher.generate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SecretCipher.load(file)).hasMessageContaining(file.toString())
                .hasMessageContaining("readable by group or others").hasMessageContaining("0644");
        assertThatThrownBy(() -> SecretCipher.load(dir.resolve("none"))).hasMessageContaining("does not exist");
        Path bad = Files.writeString(dir.resolve("bad"), "not base64 at all!");
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> SecretCipher.load(bad)).hasMessageContaining("base64 of 32 bytes");
    }

    @Test
    void referencesParseStrictly() throws Exception {
        assertThat(SecretReference.parse("file:db").describe()).isEqualTo("file:db");
        for (String bad : new String[] {"file:", "file:../x", "file:a/b", "file:..", "file:.", "v1:xyz:AAAA",
                "v1:0123abcd:not*base64", "v1:0123abcd:AAAA", "plain", ""}) {
            assertThatThrownBy(() -> SecretReference.parse(bad)).as(bad).isInstanceOf(SecretException.class);
        }
    }
}
