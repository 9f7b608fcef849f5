package io.ha.core.cluster;

import com.google.common.base.Preconditions;
import java.nio.charset.StandardCharsets;

/**
 * ZooKeeper digest credentials. With credentials, every node the framework creates is readable and writable by
 * this identity only. {@link #toString()} never shows the password.
 */
public record Credentials(String user, String password) {
    public Credentials {
        Preconditions.checkArgument(user != null && !user.isEmpty(), "credentials user must not be empty");
        Preconditions.checkArgument(user.indexOf(':') < 0, "credentials user must not contain ':'");
        Preconditions.checkArgument(password != null && !password.isEmpty(), "credentials password must not be empty");
    }

    /** Parses {@code user:password}; the error never echoes the input. */
    public static Credentials parse(String userColonPassword) {
        int colon = userColonPassword == null ? -1 : userColonPassword.indexOf(':');
        Preconditions.checkArgument(colon > 0 && colon < userColonPassword.length() - 1,
                "credentials must have the form user:password");
        return new Credentials(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
    }

    byte[] digestAuth() {
        return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", password=****]";
    }
}
