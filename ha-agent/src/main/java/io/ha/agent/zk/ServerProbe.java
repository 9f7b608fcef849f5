package io.ha.agent.zk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Asks one ZooKeeper server what it is with the four-letter word {@code srvr} (which {@link EnsembleLayout} whitelists).
 *
 * <p>Guarantee: a server that answers with a mode serves requests at that moment. Not guaranteed: that it still does
 * when the caller acts on the answer (an election may start right after).
 */
public final class ServerProbe {
    private static final int TIMEOUT_MS = 2000;

    /** What a server said it is. */
    public enum Mode {
        LEADER, FOLLOWER, OBSERVER, STANDALONE,
        /** It runs but serves no requests: no quorum, or an election is under way. */
        NOT_SERVING,
        /** Nothing answered on its client port. */
        DOWN
    }

    private ServerProbe() {
    }

    /** The mode of the server on {@code 127.0.0.1:port}; never throws. */
    public static Mode mode(int port) {
        String answer;
        try {
            answer = ask(port, "srvr");
        } catch (IOException e) {
            return Mode.DOWN;
        }
        for (String line : answer.split("\n")) {
            if (line.startsWith("Mode: ")) {
                try {
                    return Mode.valueOf(line.substring(6).strip().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    return Mode.NOT_SERVING;
                }
            }
        }
        return Mode.NOT_SERVING;
    }

    /** Sends a four-letter word and returns the whole answer. */
    public static String ask(int port, String word) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(EnsembleLayout.HOST, port), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
