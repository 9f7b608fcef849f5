package io.ha.agent.zk;

import io.ha.agent.config.FileAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where the servers of a {@link LocalEnsemble} live: for server {@code id} (1 to size) a client, a quorum and an
 * election port on 127.0.0.1 and a data directory {@code server-<id>} under the ensemble's directory, holding its
 * {@code zoo.cfg} and {@code myid}.
 *
 * <p>Guarantee: the configuration files are written once, before any server starts, and name every server the same
 * way, so a server restarted later rejoins the same ensemble on the same ports. Fsync of the transaction log is on
 * ({@code forceSync=yes}): an acknowledged write survives a kill -9 of a majority. Not guaranteed: that ports found
 * free here are still free when the servers bind them (another process may take one in between; the server then
 * fails and says so in its log).
 *
 * @param dir        the ensemble's directory
 * @param tickTimeMs ZooKeeper's tick (sessions may last 2 to 20 ticks)
 * @param servers    one entry per server, by id order
 */
public record EnsembleLayout(Path dir, int tickTimeMs, List<Server> servers) {
    static final String HOST = "127.0.0.1";

    /**
     * One server's ports and directory.
     *
     * @param id           its {@code myid}, 1 to size
     * @param clientPort   where clients connect
     * @param quorumPort   where followers talk to the leader
     * @param electionPort where servers elect the leader
     * @param dataDir      its data directory (snapshots and transaction log under {@code version-2})
     */
    public record Server(int id, int clientPort, int quorumPort, int electionPort, Path dataDir) {
        /** {@code 127.0.0.1:<client port>}. */
        public String address() {
            return HOST + ":" + clientPort;
        }

        /** The {@code zoo.cfg} the server is started with. */
        public Path configFile() {
            return dataDir.resolve("zoo.cfg");
        }
    }

    public EnsembleLayout {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one server");
        }
    }

    /**
     * Picks ports for {@code size} servers: from {@code firstClientPort} on (client ports {@code p, p+1, ...}, quorum
     * ports from {@code p+100}, election ports from {@code p+200}), or free ports when it is 0.
     */
    public static EnsembleLayout of(Path dir, int size, int tickTimeMs, int firstClientPort) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, got " + size);
        }
        if (tickTimeMs < 1) {
            throw new IllegalArgumentException("tick time must be positive, got " + tickTimeMs);
        }
        if (firstClientPort < 0 || firstClientPort + 200 + size > 65535) {
            throw new IllegalArgumentException("no room for " + size + " servers from port " + firstClientPort);
        }
        Path abs = dir.toAbsolutePath().normalize();
        List<Integer> free = firstClientPort == 0 ? freePorts(3 * size) : List.of();
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int id = i + 1;
            int client = firstClientPort == 0 ? free.get(3 * i) : firstClientPort + i;
            int quorum = firstClientPort == 0 ? free.get(3 * i + 1) : firstClientPort + 100 + i;
            int election = firstClientPort == 0 ? free.get(3 * i + 2) : firstClientPort + 200 + i;
            servers.add(new Server(id, client, quorum, election, abs.resolve("server-" + id)));
        }
        return new EnsembleLayout(abs, tickTimeMs, servers);
    }

    /** The client connect string of every server, comma-separated. */
    public String connectString() {
        return servers.stream().map(Server::address).collect(Collectors.joining(","));
    }

    /** Server {@code id} (1 to size). */
    public Server server(int id) {
        if (id < 1 || id > servers.size()) {
            throw new IllegalArgumentException("no server " + id + " in an ensemble of " + servers.size());
        }
        return servers.get(id - 1);
    }

    /** Creates the data directories (owner only) and writes every server's {@code zoo.cfg} and {@code myid}. */
    public void write() {
        try {
            FileAccess.createPrivateDirectories(dir);
            for (Server s : servers) {
                FileAccess.createPrivateDirectories(s.dataDir());
                Files.writeString(s.dataDir().resolve("myid"), s.id() + "\n", StandardCharsets.UTF_8);
                Files.writeString(s.configFile(), config(s), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ensemble's configuration under " + dir, e);
        }
    }

    String config(Server s) {
        StringBuilder b = new StringBuilder();
        b.append("# Written by HA's LocalEnsemble; every server of the ensemble has the same server lines.\n");
        b.append("tickTime=").append(tickTimeMs).append('\n');
        b.append("initLimit=10\nsyncLimit=5\n");
        b.append("dataDir=").append(s.dataDir()).append('\n');
        b.append("clientPort=").append(s.clientPort()).append('\n');
        b.append("clientPortAddress=").append(HOST).append('\n');
        // The acknowledged write must be on disk: a kill -9 of a majority is one of the faults this is used for.
        b.append("forceSync=yes\n");
        b.append("maxClientCnxns=0\n");
        // srvr and mntr tell which server leads and whether it serves; the admin server would need one more port.
        b.append("4lw.commands.whitelist=srvr,mntr,ruok\n");
        b.append("admin.enableServer=false\n");
        b.append("standaloneEnabled=false\n");
        b.append("autopurge.snapRetainCount=3\nautopurge.purgeInterval=1\n");
        for (Server o : servers) {
            b.append("server.").append(o.id()).append('=').append(HOST).append(':').append(o.quorumPort())
                    .append(':').append(o.electionPort()).append(";").append(HOST).append(':')
                    .append(o.clientPort()).append('\n');
        }
        return b.toString();
    }

    private static List<Integer> freePorts(int count) {
        // All held open together, so that no two of them are the same port.
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getByName(HOST)));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports on " + HOST, e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // A port we only probed: nothing to recover.
                }
            }
        }
    }
}
