package io.ha.samples.distributedlock;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The "storage" of the distributed-lock sample: one counter in one shared file, with the highest fencing token it
 * has accepted kept next to the value. It stands for a real fenced store (a database row with a token column, an
 * object store with conditional writes): it refuses every write whose token is lower than the highest it has seen,
 * so a holder whose lock was lost cannot overwrite what a later holder wrote. Every accepted and refused write is
 * appended to a log beside the file, which the sample reads as its evidence.
 *
 * <p>Guarantee: each request (a read, or a token check plus write plus log line) is atomic against every other
 * process using the same file. Not guaranteed: anything across two requests. The atomicity comes from a java.nio
 * {@link FileLock} held for the length of one request: that is the storage's own internal serialization, like a
 * database's row latch, and NOT the distributed lock; alone it would not keep a read-modify-write over two requests
 * from losing updates. A read is not fenced (a holder may read a value that is already stale); its write is.
 */
public final class FencedFileStore {
    /** One line of the storage's log: a write it accepted or refused. */
    public record Write(boolean accepted, String writer, long token, long value, long highestBefore, long atMillis) {
        static Write parse(String line) {
            String[] f = line.split(" ");
            return new Write(f[0].equals("ACCEPTED"), f[1], Long.parseLong(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]));
        }

        String format() {
            return String.join(" ", accepted ? "ACCEPTED" : "REFUSED", writer, Long.toString(token),
                    Long.toString(value), Long.toString(highestBefore), Long.toString(atMillis));
        }
    }

    /** The storage refused a write: its token is lower than one it has already accepted. */
    public static final class StaleTokenException extends Exception {
        private static final long serialVersionUID = 1L;

        private final long token;

        StaleTokenException(long token, long value, long highest) {
            super("write of " + value + " with fencing token " + token + " refused: the storage has already "
                    + "accepted token " + highest);
            this.token = token;
        }

        /** The token the refused write carried. */
        public long token() {
            return token;
        }
    }

    private final Path file;
    private final Path log;
    /**
     * Requests run on a thread of the store's own, as they would on a server elsewhere: an interrupt of the caller
     * (ha-core's notice that the lock is lost) cannot take back a request that was already sent.
     */
    private final ExecutorService requests = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fenced-store");
        t.setDaemon(true);
        return t;
    });

    public FencedFileStore(Path file) {
        this.file = file;
        this.log = file.resolveSibling(file.getFileName() + ".log");
    }

    /** Creates the file with the value 0 and no token seen yet. */
    public static FencedFileStore create(Path file) throws IOException {
        Files.writeString(file, "0 -1\n", UTF_8, StandardOpenOption.CREATE_NEW);
        Files.writeString(file.resolveSibling(file.getFileName() + ".log"), "", UTF_8, StandardOpenOption.CREATE_NEW);
        return new FencedFileStore(file);
    }

    /** The current value. */
    public long read() throws IOException {
        return request(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileLock latch = ch.lock()) {
                return readState(ch)[0];
            }
        });
    }

    /**
     * Stores {@code value} if {@code token} is at least the highest token accepted so far, and logs the outcome.
     *
     * @throws StaleTokenException naming both tokens when a higher one was accepted before
     */
    public void write(String writer, long token, long value) throws IOException, StaleTokenException {
        Write outcome = request(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileLock latch = ch.lock()) {
                long highest = readState(ch)[1];
                // The fencing check: a token lower than one already seen comes from a holder whose lock was lost.
                boolean accepted = token >= highest;
                if (accepted) {
                    ch.truncate(0).write(ByteBuffer.wrap((value + " " + token + "\n").getBytes(UTF_8)), 0);
                    ch.force(false);
                }
                Write w = new Write(accepted, writer, token, value, highest, System.currentTimeMillis());
                Files.writeString(log, w.format() + "\n", UTF_8, StandardOpenOption.APPEND);
                return w;
            }
        });
        if (!outcome.accepted()) {
            throw new StaleTokenException(token, value, outcome.highestBefore());
        }
    }

    /** Every write so far, accepted or refused, in the order the storage decided them. */
    public List<Write> log() throws IOException {
        return request(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileLock latch = ch.lock()) {
                List<Write> writes = new ArrayList<>();
                for (String line : Files.readAllLines(log, UTF_8)) {
                    writes.add(Write.parse(line));
                }
                return writes;
            }
        });
    }

    /** {value, highest token} as stored. */
    private static long[] readState(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) ch.size());
        ch.read(buf, 0);
        String[] f = new String(buf.array(), UTF_8).trim().split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }

    /** Runs one request on the store's thread and waits for its answer, whatever interrupts the caller meanwhile. */
    private <T> T request(Callable<T> work) throws IOException {
        Future<T> answer = requests.submit(work);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return answer.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("storage request failed: " + e.getCause(), e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
