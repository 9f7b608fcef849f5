package io.ha.core.cluster;

import com.google.common.base.Preconditions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * TLS for the connection to ZooKeeper, through ZooKeeper's own client TLS (the Netty client socket): the trust store
 * that holds the certificate authority of the servers, and the key store with this client's certificate when the
 * servers ask for one (ZooKeeper's default, {@code ssl.clientAuth=need}). Passwords are read by ZooKeeper from files
 * ({@code passwordPath}), so they never appear in a command line, a system property or this object. The store type
 * follows the file name ({@code .p12}/{@code .pfx} PKCS12, {@code .jks} JKS, {@code .pem} PEM), as ZooKeeper decides.
 *
 * <p>Guarantee: an instance names readable store files and password files that only their owner can read (each error
 * names the file and the problem); the client verifies the server's certificate and host name. Not guaranteed: that
 * the passwords open the stores or that the servers trust this client's certificate; a connection that fails for such
 * a reason shows as a connection timeout ({@link io.ha.core.ZooKeeperUnavailableException} says TLS is on).
 *
 * @param trustStore             the certificates this client trusts for the servers
 * @param trustStorePasswordFile the trust store's password, alone in a file
 * @param keyStore               this client's key and certificate, or null when the servers do not ask for one
 * @param keyStorePasswordFile   the key store's password, or null without a key store
 */
public record ZooKeeperTls(Path trustStore, Path trustStorePasswordFile, Path keyStore, Path keyStorePasswordFile) {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS_READ =
            EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    public ZooKeeperTls {
        readable("trust store", trustStore);
        secret("trust store password file", trustStorePasswordFile);
        Preconditions.checkArgument((keyStore == null) == (keyStorePasswordFile == null),
                "TLS key store and key store password file go together: give both or neither");
        if (keyStore != null) {
            readable("key store", keyStore);
            secret("key store password file", keyStorePasswordFile);
        }
    }

    /** A client that trusts the servers' certificate authority and shows no certificate of its own. */
    public static ZooKeeperTls trusting(Path trustStore, Path trustStorePasswordFile) {
        return new ZooKeeperTls(trustStore, trustStorePasswordFile, null, null);
    }

    /** The same trust, with this client's certificate for servers that require one. */
    public ZooKeeperTls withKeyStore(Path store, Path passwordFile) {
        return new ZooKeeperTls(trustStore, trustStorePasswordFile, store, passwordFile);
    }

    /** Turns TLS on in a ZooKeeper client configuration. */
    public void applyTo(ZKClientConfig zk) {
        zk.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        zk.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        String prefix = "zookeeper.ssl.";
        zk.setProperty(prefix + "trustStore.location", trustStore.toString());
        zk.setProperty(prefix + "trustStore.passwordPath", trustStorePasswordFile.toString());
        if (keyStore != null) {
            zk.setProperty(prefix + "keyStore.location", keyStore.toString());
            zk.setProperty(prefix + "keyStore.passwordPath", keyStorePasswordFile.toString());
        }
    }

    private static void readable(String what, Path file) {
        Preconditions.checkArgument(file != null, "TLS %s must be given", what);
        Preconditions.checkArgument(Files.isRegularFile(file) && Files.isReadable(file),
                "TLS %s %s is not a readable file", what, file);
    }

    private static void secret(String what, Path file) {
        readable(what, file);
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // no POSIX permissions on this file system: nothing to check
        } catch (IOException e) {
            throw new IllegalArgumentException("TLS " + what + " " + file + " cannot be checked ("
                    + e.getClass().getSimpleName() + ")");
        }
        perms.retainAll(GROUP_OR_OTHERS_READ);
        Preconditions.checkArgument(perms.isEmpty(),
                "TLS %s %s is readable by group or others; chmod 600 it", what, file);
    }

    @Override
    public String toString() {
        return "ZooKeeperTls[trustStore=" + trustStore + (keyStore == null ? "" : ", keyStore=" + keyStore) + "]";
    }
}
