package io.ha.core.cluster;

import com.google.common.base.Preconditions;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.List;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * ZooKeeper digest credentials. With credentials, every node the framework creates is readable and writable by
 * this identity only (an explicit digest ACL: not ZooKeeper's "creator" ACL, which would also grant the node to the
 * session's other identities, such as a TLS client certificate). {@link #toString()} never shows the password.
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

    /**
     * The id ZooKeeper stores in a digest ACL for this identity, {@code user:base64(sha1(user:password))}: what an
     * ACL names to grant to these credentials. It does not reveal the password, but it allows guessing it offline.
     */
    public String digestId() {
        try {
            return DigestAuthenticationProvider.generateDigest(user + ":" + password);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1 is not available: cannot compute the digest id of the credentials", e);
        }
    }

    /** The ACL that grants everything to this identity and nothing to anyone else. */
    public List<ACL> ownerOnlyAcl() {
        // Not List.of: ZooKeeper checks an ACL with contains(null), which immutable lists refuse.
        return Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("digest", digestId())));
    }

    byte[] digestAuth() {
        return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", password=****]";
    }
}
