package io.ha.agent.exec;

import java.util.Base64;

/**
 * What an exec payload stores for a secret variable instead of its value: a {@link File} reference to a file in the
 * agent's {@code exec.secrets.dir} ({@code file:NAME}), or a {@link Sealed} value, AES-256-GCM ciphertext under the
 * cluster's secret key ({@code v1:<keyId>:<base64 of IV and ciphertext>}, see {@link SecretCipher}).
 *
 * <p>Guarantee: {@link #parse} accepts only a plain file name (no {@code /}, not {@code .} or {@code ..}, not empty)
 * and a well-formed sealed value; {@link #describe()} never shows ciphertext. Not guaranteed: that the file exists or
 * that the value opens ({@link SecretResolver} finds out on the agent).
 */
public sealed interface SecretReference {
    /** The prefix of a file reference. */
    String FILE_PREFIX = "file:";
    /** The prefix of a sealed value of this format. */
    String SEALED_PREFIX = "v1:";

    /** How output shows it: {@code file:NAME} or {@code sealed, key <keyId>}. */
    String describe();

    /** The form stored in the payload. */
    String text();

    /** {@code file:NAME}: the agent reads {@code <exec.secrets.dir>/NAME}. */
    record File(String name) implements SecretReference {
        @Override
        public String describe() {
            return FILE_PREFIX + name;
        }

        @Override
        public String text() {
            return FILE_PREFIX + name;
        }
    }

    /**
     * A value sealed under the key whose id is {@code keyId}.
     *
     * @param data the 12-byte IV followed by the ciphertext and its 16-byte tag
     */
    record Sealed(String keyId, byte[] data) implements SecretReference {
        public Sealed {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public String describe() {
            return "sealed, key " + keyId;
        }

        @Override
        public String text() {
            return SEALED_PREFIX + keyId + ":" + Base64.getEncoder().encodeToString(data);
        }

        @Override
        public String toString() {
            return "Sealed[" + describe() + "]";
        }
    }

    /**
     * @throws SecretException saying what is wrong with the reference (never repeating a sealed value's ciphertext)
     */
    static SecretReference parse(String text) throws SecretException {
        if (text == null || text.isEmpty()) {
            throw new SecretException("empty secret reference (expected file:NAME or a sealed v1: value)");
        }
        if (text.startsWith(FILE_PREFIX)) {
            String name = text.substring(FILE_PREFIX.length());
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")
                    || name.contains("\0")) {
                throw new SecretException("file reference '" + text + "' must name a plain file in exec.secrets.dir "
                        + "(no '/', not '.' or '..', not empty)");
            }
            return new File(name);
        }
        if (text.startsWith(SEALED_PREFIX)) {
            String rest = text.substring(SEALED_PREFIX.length());
            int colon = rest.indexOf(':');
            String keyId = colon < 0 ? "" : rest.substring(0, colon);
            if (!keyId.matches("[0-9a-f]{" + SecretCipher.KEY_ID_CHARS + "}")) {
                throw new SecretException("sealed value is malformed (expected v1:<8 hex key id>:<base64>)");
            }
            byte[] data;
            try {
                data = Base64.getDecoder().decode(rest.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new SecretException("sealed value under key " + keyId + " is not base64");
            }
            if (data.length < SecretCipher.IV_BYTES + SecretCipher.TAG_BITS / 8) {
                throw new SecretException("sealed value under key " + keyId + " is too short to be AES-GCM data");
            }
            return new Sealed(keyId, data);
        }
        throw new SecretException("unknown kind of secret reference (expected file:NAME or a sealed v1: value)");
    }
}
