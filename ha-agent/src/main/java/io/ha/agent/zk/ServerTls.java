package io.ha.agent.zk;

import io.ha.core.cluster.ZooKeeperTls;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The TLS side of {@code bin/ha-zk --tls}: ZooKeeper's Netty server with a secure client port only, client
 * certificates required ({@code ssl.clientAuth=need}), passwords read from files ({@code passwordPath}).
 *
 * <p>Guarantee: the server serves no plain port. Not guaranteed: that given stores match (ZooKeeper reports a bad
 * store when the server starts, and the start fails).
 *
 * @param probe the client settings {@code ha-zk} itself uses to see that the server answers
 * @param generated the certificates made under the data directory, or null for given stores
 * @param madeNow whether they were made by this start (false: an earlier start made them)
 */
record ServerTls(Path keyStore, Path keyStorePasswordFile, Path trustStore, Path trustStorePasswordFile,
                 ZooKeeperTls probe, Certificates generated, boolean madeNow) {

    static ServerTls generated(Certificates c, boolean madeNow) {
        return new ServerTls(c.serverKeyStore(), c.passwordFile(), c.trustStore(), c.passwordFile(),
                ZooKeeperTls.trusting(c.trustStore(), c.passwordFile())
                        .withKeyStore(c.clientKeyStore(), c.passwordFile()), c, madeNow);
    }

    /** Given stores: the probe shows the server's own certificate, which the server's trust store must accept. */
    static ServerTls given(Path keyStore, Path keyStorePasswordFile, Path trustStore, Path trustStorePasswordFile) {
        ZooKeeperTls probe = ZooKeeperTls.trusting(trustStore, trustStorePasswordFile)
                .withKeyStore(keyStore, keyStorePasswordFile);
        return new ServerTls(keyStore, keyStorePasswordFile, trustStore, trustStorePasswordFile, probe, null, false);
    }

    ZooKeeperTls probeClient() {
        return probe;
    }

    void applyTo(Properties props, int port) {
        props.setProperty("secureClientPort", Integer.toString(port));
        props.setProperty("secureClientPortAddress", "127.0.0.1");
        // Keys QuorumPeerConfig does not know become the system properties zookeeper.<key>, read by the server.
        props.setProperty("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory");
        props.setProperty("ssl.keyStore.location", keyStore.toString());
        props.setProperty("ssl.keyStore.passwordPath", keyStorePasswordFile.toString());
        props.setProperty("ssl.trustStore.location", trustStore.toString());
        props.setProperty("ssl.trustStore.passwordPath", trustStorePasswordFile.toString());
        props.setProperty("ssl.clientAuth", "need");
    }

    /** What to tell the operator: where the client's files are, for agents and ha-ctl. */
    List<String> describe() {
        if (generated == null) {
            return List.of("ha-zk: TLS with the given stores; clients need a certificate that " + trustStore
                    + " trusts");
        }
        return List.of(
                "ha-zk: TLS certificates " + (madeNow ? "made" : "reused") + " in " + generated.dir()
                        + " (a test CA: for trying TLS, not for production)",
                "ha-zk: clients: zk.tls.enabled=true zk.tls.truststore=" + generated.trustStore()
                        + " zk.tls.keystore=" + generated.clientKeyStore() + " and both password files "
                        + generated.passwordFile());
    }
}
