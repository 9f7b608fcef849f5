package io.ha.agent.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Counters of a ZooKeeper server read with its {@code srvr} four-letter command (enabled by default): requests
 * received, responses and notifications sent, the last transaction id and the node count. The difference between two
 * readings says how many requests and write transactions a piece of work cost the server.
 *
 * @param received  packets received from clients (requests and pings)
 * @param sent      packets sent to clients (responses and watch notifications)
 * @param zxid      the last committed transaction id: one per write transaction ({@code multi()} counts once)
 * @param nodeCount znodes in the server's tree
 */
public record ServerStats(long received, long sent, long zxid, long nodeCount) {
    /** Reads the counters of the server at {@code host:port}. */
    public static ServerStats read(String host, int port) throws IOException {
        String text;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            text = out.toString(StandardCharsets.UTF_8);
        }
        long received = -1;
        long sent = -1;
        long zxid = -1;
        long nodes = -1;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "Received" -> received = Long.parseLong(value);
                case "Sent" -> sent = Long.parseLong(value);
                case "Zxid" -> zxid = Long.decode(value);
                case "Node count" -> nodes = Long.parseLong(value);
                default -> { }
            }
        }
        if (received < 0 || zxid < 0) {
            throw new IOException("unexpected answer to 'srvr' from " + host + ":" + port + ": " + text.strip());
        }
        return new ServerStats(received, sent, zxid, nodes);
    }

    /** What happened between {@code earlier} and this reading. */
    public ServerStats since(ServerStats earlier) {
        return new ServerStats(received - earlier.received, sent - earlier.sent, zxid - earlier.zxid,
                nodeCount - earlier.nodeCount);
    }
}
