package io.ha.testkit.internal;

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

/**
 * A loopback TCP forwarder between clients and one server, used to simulate network failures:
 * <ul>
 * <li>while {@link #partition()} is in force bytes are silently dropped in both directions (connections stay open, as
 * with a cut cable), so the client notices only through its own timeouts; {@link #heal()} resumes forwarding;</li>
 * <li>while {@link #freeze()} is in force bytes are held, not dropped, in both directions; {@link #thaw()} delivers
 * them late, in order, as a process that stopped (a long GC pause) would send and read them when it resumes;</li>
 * <li>{@link #dropNextReplyWhen} swallows the first reply the server sends once a condition holds and drops that
 * connection: a network that fails after the server did the work but before the client heard of it. The client
 * reconnects (same session) through the proxy, which passes everything from then on.</li>
 * </ul>
 * Not a model of a slow network: bytes that pass are passed at once.
 */
public final class TcpProxy implements Closeable {
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

    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String connectString() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** The server port this proxy forwards to. */
    public int targetPort() {
        return targetPort;
    }

    /** Whether a client connection through this proxy is open now. */
    public boolean hasClient() {
        return !clients.isEmpty();
    }

    public void partition() {
        partitioned = true;
    }

    public void heal() {
        partitioned = false;
    }

    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        synchronized (frozenLock) {
            frozen = false;
            frozenLock.notifyAll();
        }
    }

    /** Arms the reply trap: the first server-to-client data seen while {@code condition} holds is dropped. */
    public void dropNextReplyWhen(Callable<Boolean> condition) {
        replyDropped = false;
        replyTrap = condition;
    }

    /** Whether the armed trap has dropped a reply. */
    public boolean replyDropped() {
        return replyDropped;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
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
            } catch (Exception e) {
                // Either side closed, or the trap's check failed: close the other side too.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
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

    @Override
    public void close() throws IOException {
        closed = true;
        thaw();
        listener.close();
        sockets.forEach(this::closeQuietly);
    }
}
