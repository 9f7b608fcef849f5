package io.ha.agent.exec;

/**
 * A secret that cannot be used: a key file that is missing, exposed or malformed, a reference that does not parse, a
 * sealed value that does not open, a secret file that is missing or readable by others. The message names the file
 * or the reference's kind and the reason, never a secret value.
 */
public final class SecretException extends Exception {
    private static final long serialVersionUID = 1L;

    public SecretException(String message) {
        super(message);
    }
}
