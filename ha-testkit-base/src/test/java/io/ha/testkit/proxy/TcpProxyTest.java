package io.ha.testkit.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The proxy against a real loopback echo server and real client sockets. */
class TcpProxyTest {
    private static final Duration QUIET = Duration.ofMillis(400);
    private final List<Closeable> toClose = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void forwardsBothWays() throws IOException {
        TcpProxy proxy = proxyToEcho();
        Client client = connect(proxy);
        client.send("hello");
        await().atMost(Duration.ofSeconds(5)).until(() -> client.received().equals("hello"));
        assertThat(proxy.hasClient()).isTrue();
        assertThat(proxy.connectString()).isEqualTo("127.0.0.1:" + proxy.port());
    }

    @Test
    void partitionDropsBytesUntilHealedAndKeepsTheConnection() throws IOException {
        TcpProxy proxy = proxyToEcho();
        Client client = connect(proxy);
        proxy.partition();
        assertThat(proxy.isPartitioned()).isTrue();
        client.send("lost");
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> client.received().isEmpty());
        proxy.heal();
        client.send("back");
        await().atMost(Duration.ofSeconds(5)).until(() -> client.received().equals("back"));
        assertThat(client.ended()).isFalse();
    }

    @Test
    void freezeHoldsBytesAndThawDeliversThemInOrder() throws IOException {
        TcpProxy proxy = proxyToEcho();
        Client client = connect(proxy);
        proxy.freeze();
        client.send("a");
        client.send("b");
        client.send("c");
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> client.received().isEmpty());
        proxy.thaw();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.received().equals("abc"));
    }

    @Test
    void dropsTheNextReplyWithItsConnectionAndPassesTheNextConnection() throws IOException {
        TcpProxy proxy = proxyToEcho();
        AtomicBoolean armed = new AtomicBoolean();
        proxy.dropNextReplyWhen(armed::get);
        Client before = connect(proxy);
        before.send("passes");
        await().atMost(Duration.ofSeconds(5)).until(() -> before.received().equals("passes"));
        armed.set(true);
        before.send("dropped");
        await().atMost(Duration.ofSeconds(5)).until(before::ended);
        assertThat(before.received()).isEqualTo("passes");
        assertThat(proxy.replyDropped()).isTrue();

        Client after = connect(proxy);
        after.send("again");
        await().atMost(Duration.ofSeconds(5)).until(() -> after.received().equals("again"));
    }

    @Test
    void cutClosesOpenConnectionsAndAcceptsNewOnes() throws IOException {
        TcpProxy proxy = proxyToEcho();
        Client first = connect(proxy);
        first.send("x");
        await().atMost(Duration.ofSeconds(5)).until(() -> first.received().equals("x"));
        proxy.cut();
        await().atMost(Duration.ofSeconds(5)).until(first::ended);
        Client second = connect(proxy);
        second.send("y");
        await().atMost(Duration.ofSeconds(5)).until(() -> second.received().equals("y"));
    }

    @Test
    void aServerThatIsDownClosesTheClientConnection() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        TcpProxy proxy = keep(new TcpProxy(deadPort));
        Client client = connect(proxy);
        await().atMost(Duration.ofSeconds(5)).until(client::ended);
        assertThat(proxy.hasClient()).isFalse();
    }

    @Test
    void refusesAPortThatIsNotOne() {
        assertThatThrownBy(() -> new TcpProxy(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("targetPort").hasMessageContaining("0");
        assertThatThrownBy(() -> new TcpProxy(70000)).hasMessageContaining("70000");
    }

    private TcpProxy proxyToEcho() throws IOException {
        ServerSocket echo = keep(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        daemon(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    toClose.add(s);
                    daemon(() -> {
                        try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException e) {
                            // The proxy closed the connection.
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return keep(new TcpProxy(echo.getLocalPort()));
    }

    private Client connect(TcpProxy proxy) throws IOException {
        return keep(new Client(new Socket(InetAddress.getLoopbackAddress(), proxy.port())));
    }

    private <T extends Closeable> T keep(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private static void daemon(Runnable body) {
        Thread t = new Thread(body, "echo");
        t.setDaemon(true);
        t.start();
    }

    /** A client socket whose bytes received so far, and whether the stream ended, a test can read at any time. */
    private static final class Client implements Closeable {
        private final Socket socket;
        private final StringBuffer received = new StringBuffer();
        private final AtomicBoolean ended = new AtomicBoolean();

        Client(Socket socket) {
            this.socket = socket;
            daemon(() -> {
                byte[] buffer = new byte[1024];
                try (InputStream in = socket.getInputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // A reset ends the stream as an end of file does.
                } finally {
                    ended.set(true);
                }
            });
        }

        void send(String text) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String received() {
            return received.toString();
        }

        boolean ended() {
            return ended.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
