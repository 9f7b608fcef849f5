package io.ha.testkit.proxy;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP forwarder between clients and one server port, to inject network faults into a client (a ZooKeeper
 * client, an agent) without touching the machine's network. It listens on a free loopback port ({@link #port()}) and
 * opens one upstream connection to {@code 127.0.0.1:targetPort} per accepted client.
 * <ul>
 * <li>While {@link #partition()} is in force bytes are silently dropped in both directions (connections stay open,
 * as with a cut cable), so the client notices only through its own timeouts; {@link #heal()} resumes forwarding.
 * Bytes dropped stay lost.</li>
 * <li>While {@link #freeze()} is in force bytes are held, not dropped, in both directions; {@link #thaw()} delivers
 * them late, in order, as a process that stopped (a long GC pause) would send and read them when it resumes.</li>
 * <li>{@link #dropNextReplyWhen} swallows the first reply the server sends once a condition holds and drops that
 * connection: a network that fails after the server did the work but before the client heard of it. The client
 * reconnects through the proxy, which passes everything from then on.</li>
 * <li>{@link #cut()} closes every open connection at once (both sides see a reset or an end of stream); new
 * connections are accepted as before.</li>
 * </ul>
 * A server that is down (connection refused) makes the proxy close the accepted client socket, as a dead host would.
 *
 * <p>Not a model of a slow or lossy network: bytes that pass are passed at once and whole. Thread-safe; each
 * connection costs two daemon threads.
 */
public final class TcpProxy implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);
    private static final int CONNECT_TIMEOUT_MS = 2000;

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object frozenLock = new Object();
    private volatile boolean partitioned;
    private volatile boolean frozen;
    private volatile Callable<Boolean> replyTrap;
    private volatile boolean replyDropped;
    private volatile boolean closed;

    /**
     * Starts a proxy to {@code 127.0.0.1:targetPort} on a free loopback port.
     *
     * @throws IllegalArgumentException if {@code targetPort} is not a port number (1 to 65535)
     * @throws IOException if no loopback port can be bound
     */
    public TcpProxy(int targetPort) throws IOException {
        if (targetPort < 1 || targetPort > 65535) {
            throw new IllegalArgumentException("targetPort must be 1 to 65535, was " + targetPort);
        }
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code 127.0.0.1:port}: what a client connects to instead of the server. */
    public String connectString() {
        return "127.0.0.1:" + port();
    }

    /** The loopback port this proxy listens on. */
    public int port() {
        return listener.getLocalPort();
    }

    /** The server port this proxy forwards to. */
    public int targetPort() {
        return targetPort;
    }

    /** Whether a client connection through this proxy is open now. */
    public boolean hasClient() {
        return !clients.isEmpty();
    }

    /** Drops every byte, both ways, until {@link #heal()}; connections stay open. */
    public void partition() {
        partitioned = true;
        LOG.debug("proxy {} -> {} partitioned", port(), targetPort);
    }

    /** Ends a {@link #partition()}: bytes pass again (those dropped meanwhile are not replayed). */
    public void heal() {
        partitioned = false;
        LOG.debug("proxy {} -> {} healed", port(), targetPort);
    }

    /** Whether a {@link #partition()} is in force. */
    public boolean isPartitioned() {
        return partitioned;
    }

    /** Holds every byte, both ways, until {@link #thaw()}, which delivers them in order. */
    public void freeze() {
        frozen = true;
        LOG.debug("proxy {} -> {} frozen", port(), targetPort);
    }

    /** Ends a {@link #freeze()}: the bytes held are delivered, late and in order. */
    public void thaw() {
        synchronized (frozenLock) {
            frozen = false;
            frozenLock.notifyAll();
        }
        LOG.debug("proxy {} -> {} thawed", port(), targetPort);
    }

    /**
     * Arms the reply trap: the first server-to-client data seen while {@code condition} holds is dropped, with its
     * connection. One reply only; arming again resets {@link #replyDropped()}. A condition that throws closes the
     * connection it was asked about without counting as a dropped reply.
     */
    public void dropNextReplyWhen(Callable<Boolean> condition) {
        if (condition == null) {
            throw new IllegalArgumentException("condition must not be null");
        }
        replyDropped = false;
        replyTrap = condition;
    }

    /** Whether the armed trap has dropped a reply. */
    public boolean replyDropped() {
        return replyDropped;
    }

    /** Closes every open connection through the proxy now; the proxy goes on accepting new ones. */
    public void cut() {
        sockets.forEach(this::closeQuietly);
        LOG.debug("proxy {} -> {} cut", port(), targetPort);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client = null;
            try {
                client = listener.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
                        CONNECT_TIMEOUT_MS);
                clients.add(client);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // The server is down (refused): the client's socket was accepted and is dropped, as a dead host's
                // would be; the client tries again.
                if (client != null) {
                    closeQuietly(client);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitThawed();
                    Callable<Boolean> trap = replyTrap;
                    if (replies && trap != null && !replyDropped && trap.call()) {
                        replyDropped = true;
                        replyTrap = null;
                        return; // the reply is dropped with the connection (closed below)
                    }
                    if (!partitioned) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Either side closed, or the trap's check failed: close the other side too (finally).
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump-" + port());
        t.setDaemon(true);
        t.start();
    }

    private void awaitThawed() throws InterruptedException {
        synchronized (frozenLock) {
            while (frozen && !closed) {
                frozenLock.wait(100);
            }
        }
    }

    private void closeQuietly(Socket s) {
        sockets.remove(s);
        clients.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    /** Stops accepting and closes every connection; held bytes are released to closed sockets (lost). */
    @Override
    public void close() throws IOException {
        closed = true;
        thaw();
        listener.close();
        sockets.forEach(this::closeQuietly);
    }
}
