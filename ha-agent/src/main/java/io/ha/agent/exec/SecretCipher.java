package io.ha.agent.exec;

import io.ha.agent.config.FileAccess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster's secret key for exec variables: a key file holding the base64 of 32 random bytes (mode 0600), shared
 * by ha-ctl (which seals) and the agents (which open). Sealing is AES-256-GCM with a fresh 12-byte random IV and a
 * 128-bit tag; the variable's name is the additional authenticated data, so a sealed value opens only under the name
 * it was sealed for. The key id is the first 8 hex characters of the SHA-256 of the key.
 *
 * <p>Guarantee: a value that was changed, sealed under another key or moved to another variable does not open (a
 * {@link SecretException} says which, without the value); {@link #load} refuses a key file that group or others can
 * read. Not guaranteed: secrecy from whoever holds the key file, nor from a command that prints its environment.
 */
public final class SecretCipher {
    /** Length of the key id, in hex characters. */
    public static final int KEY_ID_CHARS = 8;
    static final int KEY_BYTES = 32;
    static final int IV_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String keyId;

    private SecretCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
        this.keyId = keyId(key);
    }

    /**
     * Writes a new key to {@code file}, created with mode 0600; never overwrites.
     *
     * @throws SecretException naming the file when it exists or cannot be written
     */
    public static SecretCipher generate(Path file) throws SecretException {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new SecretException("secret key file " + file + " exists already: it is not overwritten (a new key "
                    + "would make every value sealed under the old one unreadable)");
        } catch (IOException | UnsupportedOperationException e) {
            throw new SecretException("cannot create secret key file " + file + " (" + e.getMessage() + ")");
        }
        try {
            Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new SecretException("cannot write secret key file " + file + " (" + e.getMessage() + ")");
        }
        return new SecretCipher(key);
    }

    /**
     * Reads a key file.
     *
     * @throws SecretException naming the file when it is missing, not a regular file, readable by group or others,
     *                         or does not hold the base64 of 32 bytes
     */
    public static SecretCipher load(Path file) throws SecretException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new SecretException("secret key file " + file + (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    ? " is not a regular file" : " does not exist") + " (make one with 'ha-ctl secret-key FILE')");
        }
        var exposed = FileAccess.secretExposed(file);
        if (exposed.isPresent()) {
            throw new SecretException("secret key file " + file + " " + exposed.get());
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new SecretException("cannot read secret key file " + file + " (" + e.getClass().getSimpleName()
                    + ")");
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != KEY_BYTES) {
            throw new SecretException("secret key file " + file + " does not hold the base64 of " + KEY_BYTES
                    + " bytes (make one with 'ha-ctl secret-key FILE')");
        }
        return new SecretCipher(key);
    }

    /** The first 8 hex characters of the SHA-256 of the key: names the key in sealed values and in output. */
    public String keyId() {
        return keyId;
    }

    /** {@code value} sealed for the variable {@code name}, as stored in a payload ({@code v1:<keyId>:<base64>}). */
    public String seal(String name, String value) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher c = cipher(Cipher.ENCRYPT_MODE, iv, name);
            byte[] sealed = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
            byte[] data = ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
            return new SecretReference.Sealed(keyId, data).text();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * Opens a value sealed for {@code name}.
     *
     * @throws SecretException when it was sealed under another key, or does not authenticate (changed, or sealed for
     *                         another variable)
     */
    public String open(String name, SecretReference.Sealed sealed) throws SecretException {
        if (!sealed.keyId().equals(keyId)) {
            throw new SecretException("sealed under key " + sealed.keyId() + ", but this agent's key "
                    + "(exec.secret.key.file) is " + keyId);
        }
        byte[] data = sealed.data();
        try {
            Cipher c = cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(data, IV_BYTES), name);
            return new String(c.doFinal(data, IV_BYTES, data.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SecretException("sealed value under key " + keyId + " does not authenticate: it was changed, "
                    + "or sealed for another variable");
        } catch (GeneralSecurityException e) {
            throw new SecretException("sealed value under key " + keyId + " cannot be opened ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private Cipher cipher(int mode, byte[] iv, String name) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
        c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
        return c;
    }

    private static String keyId(byte[] key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(hash).substring(0, KEY_ID_CHARS);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "SecretCipher[key " + keyId + "]";
    }
}
