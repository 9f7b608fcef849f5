package io.ha.agent.config;

import com.google.common.base.Preconditions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A secret configuration value (such as the HTTP token). {@link #toString()} never shows it, so it cannot leak into
 * logs or status output by accident.
 */
public record Secret(String value) {
    public Secret {
        Preconditions.checkArgument(value != null && !value.isEmpty(), "secret must not be empty");
    }

    /** Compares in constant time, so response times tell an attacker nothing about the secret. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "****";
    }
}
