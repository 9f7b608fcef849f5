package io.ha.agent.zk;

import io.ha.agent.config.FileAccess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.server.ServerConfig;
import org.apache.zookeeper.server.ZooKeeperServerMain;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/ha-zk}: one standalone ZooKeeper server in the foreground, bound to 127.0.0.1, for trying HA on one
 * machine with agents in separate processes. ZooKeeper's own server code ({@link ZooKeeperServerMain}); the admin
 * server is off.
 *
 * <p>Prints {@code HA-ZK READY 127.0.0.1:<port>} once the server answers requests, and stops cleanly (exit 0) on
 * SIGTERM or SIGINT. Not for production: a single server is a single point of failure; use an ensemble of 3 or 5.
 * Exit codes: 0 clean stop, 1 the server failed, 2 usage error.
 */
@Command(name = "ha-zk", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs a single ZooKeeper server on 127.0.0.1 in the foreground (NOT for production).")
public final class ZkServerMain implements Callable<Integer> {
    public static final String READY_PREFIX = "HA-ZK READY ";
    private static final String HOST = "127.0.0.1";

    @Option(names = "--port", paramLabel = "N", description = "Client port (default 2181; 0 = a free port).")
    private int port = 2181;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default data/zk under the HA "
            + "home).")
    private Path dataDir;

    @Option(names = "--tick-time", paramLabel = "MS", description = "ZooKeeper tick in ms (default 2000; sessions "
            + "may last 2 to 20 ticks).")
    private int tickTime = 2000;

    @Option(names = "--tls", description = "Serve TLS only (the port is a secure client port; clients must show a "
            + "certificate the trust store trusts). Without --keystore, makes a CA, a server and a client certificate "
            + "under the data directory (tls/, reused on later starts) and prints where they are.")
    private boolean tls;

    @Option(names = "--keystore", paramLabel = "FILE", description = "With --tls: the server's key store (PKCS12, JKS "
            + "or PEM by its file name).")
    private Path keyStore;

    @Option(names = "--keystore-password-file", paramLabel = "FILE", description = "With --keystore: its password.")
    private Path keyStorePasswordFile;

    @Option(names = "--truststore", paramLabel = "FILE", description = "With --keystore: the CA certificates of the "
            + "clients.")
    private Path trustStore;

    @Option(names = "--truststore-password-file", paramLabel = "FILE", description = "With --truststore: its "
            + "password.")
    private Path trustStorePasswordFile;

    private final AtomicInteger exitCode = new AtomicInteger(0);

    /** Exposes the protected shutdown of ZooKeeper's standalone main. */
    private static final class Server extends ZooKeeperServerMain {
        void stop() {
            shutdown();
        }
    }

    public static void main(String[] args) {
        ZkServerMain main = new ZkServerMain();
        int code = new CommandLine(main).execute(args);
        main.exitCode.set(code);
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            System.err.println("ha-zk: --port must be in 0-65535, got " + port);
            return 2;
        }
        if (tickTime < 1) {
            System.err.println("ha-zk: --tick-time must be positive, got " + tickTime);
            return 2;
        }
        int actualPort = port == 0 ? freePort() : port;
        Path dir = (dataDir != null ? dataDir : home().resolve("data/zk")).toAbsolutePath().normalize();
        FileAccess.createPrivateDirectories(dir);
        // Read by ZooKeeper when the server starts; the admin server would open a second port (8080) for nothing.
        System.setProperty("zookeeper.admin.enableServer", "false");
        ServerTls serverTls;
        try {
            serverTls = tls ? serverTls(dir) : null;
        } catch (IllegalArgumentException e) {
            System.err.println("ha-zk: " + e.getMessage());
            return 2;
        }
        if (!tls && (keyStore != null || trustStore != null)) {
            System.err.println("ha-zk: --keystore and --truststore need --tls");
            return 2;
        }
        Properties props = new Properties();
        props.setProperty("dataDir", dir.toString());
        if (serverTls == null) {
            props.setProperty("clientPort", Integer.toString(actualPort));
            props.setProperty("clientPortAddress", HOST);
        } else {
            serverTls.applyTo(props, actualPort);
        }
        props.setProperty("tickTime", Integer.toString(tickTime));
        props.setProperty("maxClientCnxns", "0");
        props.setProperty("admin.enableServer", "false");
        props.setProperty("autopurge.snapRetainCount", "3");
        props.setProperty("autopurge.purgeInterval", "1");
        QuorumPeerConfig quorumConfig = new QuorumPeerConfig();
        quorumConfig.parseProperties(props);
        ServerConfig config = new ServerConfig();
        config.readFrom(quorumConfig);

        System.out.println("*** HA-ZK: NOT for production: single server, use a 3- or 5-server ensemble. ***");
        System.out.println("*** A single ZooKeeper server is a single point of failure for every agent. ***");
        System.out.println("ha-zk: data in " + dir + ", " + (serverTls == null ? "client port " : "TLS client port ")
                + HOST + ":" + actualPort);
        if (serverTls != null) {
            serverTls.describe().forEach(System.out::println);
        }

        Server server = new Server();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        Thread runner = new Thread(() -> {
            try {
                server.runFromConfig(config);
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                ended.countDown();
            }
        }, "ha-zk-server");
        runner.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            try {
                ended.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.println("ha-zk: stopped");
            System.out.flush();
            // SIGTERM would end the JVM with 143; a clean stop is a success.
            Runtime.getRuntime().halt(exitCode.get());
        }, "ha-zk-shutdown"));
        while (ended.getCount() > 0 && !serving(actualPort, serverTls)) {
            Thread.sleep(50);
        }
        if (ended.getCount() == 0) {
            exitCode.set(1);
            Throwable t = failure.get();
            System.err.println("ha-zk: the server failed: " + (t == null ? "it stopped" : t));
            return 1;
        }
        System.out.println(READY_PREFIX + HOST + ":" + actualPort);
        System.out.flush();
        ended.await();
        if (failure.get() != null) {
            exitCode.set(1);
            System.err.println("ha-zk: the server failed: " + failure.get());
            return 1;
        }
        return 0;
    }

    /**
     * True once a client session can be established: the port is bound a moment before the database is loaded, and
     * a four-letter-word probe in that moment makes the server log a spurious error.
     */
    private static boolean serving(int port, ServerTls serverTls) throws InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper probe = null;
        ZKClientConfig clientConfig = new ZKClientConfig();
        if (serverTls != null) {
            serverTls.probeClient().applyTo(clientConfig);
        }
        try {
            probe = new ZooKeeper(HOST + ":" + port, 5000, event -> {
                if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                    connected.countDown();
                }
            }, clientConfig);
            return connected.await(1, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } finally {
            if (probe != null) {
                probe.close();
            }
        }
    }

    /** The TLS stores: given with --keystore/--truststore, else made (once) under the data directory. */
    private ServerTls serverTls(Path dir) throws IOException, InterruptedException {
        if (keyStore == null) {
            if (trustStore != null || keyStorePasswordFile != null || trustStorePasswordFile != null) {
                throw new IllegalArgumentException("--truststore and the password files need --keystore");
            }
            Path tlsDir = dir.resolve("tls");
            Certificates certs = new Certificates(tlsDir);
            boolean made = !Files.isRegularFile(certs.clientKeyStore());
            if (made) {
                certs = Certificates.create(tlsDir, "ha-client");
            }
            return ServerTls.generated(certs, made);
        }
        if (keyStorePasswordFile == null || trustStore == null || trustStorePasswordFile == null) {
            throw new IllegalArgumentException("--keystore needs --keystore-password-file, --truststore and "
                    + "--truststore-password-file");
        }
        return ServerTls.given(keyStore, keyStorePasswordFile, trustStore, trustStorePasswordFile);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    private static Path home() {
        String home = System.getProperty("ha.home");
        return Path.of(home == null || home.isBlank() ? "" : home);
    }
}
