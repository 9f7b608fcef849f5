package io.ha.chaos.agent;

import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only log of what one agent process did in a chaos run: one tab-separated line per event, written to the
 * operating system at once (no buffer in this process), so a kill -9 loses nothing already written. The run reads
 * every agent's file at the end ({@code io.ha.chaos.report.RunLog}).
 *
 * <p>Lines: {@code RUN task attempt agent at}, {@code END task attempt agent at}, {@code LEAD agent epoch start end
 * accepted}, {@code EXCL lock agent token start end accepted}; times are epoch milliseconds, accepted is 1 when the
 * {@link Fence} took the write and 0 when it refused it. Not guaranteed: a line cut short by a kill in the middle of
 * a write (the reader skips it).
 */
public final class EventLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    public static final String RUN = "RUN";
    public static final String END = "END";
    public static final String LEAD = "LEAD";
    public static final String EXCL = "EXCL";

    private final OutputStream out;

    private EventLog(OutputStream out) {
        this.out = out;
    }

    /** Opens {@code file} for appending, creating it and its directory. */
    public static EventLog open(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return new EventLog(new FileOutputStream(file.toFile(), true));
    }

    public void ran(String task, int attempt, String agent, long at) {
        write(RUN, task, attempt, agent, at);
    }

    public void ended(String task, int attempt, String agent, long at) {
        write(END, task, attempt, agent, at);
    }

    public void led(String agent, long epoch, long start, long end, boolean accepted) {
        write(LEAD, agent, epoch, start, end, accepted ? 1 : 0);
    }

    public void heldExclusively(String lock, String agent, long token, long start, long end, boolean accepted) {
        write(EXCL, lock, agent, token, start, end, accepted ? 1 : 0);
    }

    private void write(Object... fields) {
        StringBuilder sb = new StringBuilder();
        for (Object f : fields) {
            sb.append(sb.isEmpty() ? "" : "\t").append(f);
        }
        byte[] line = sb.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(line);
            } catch (IOException e) {
                // A line missing from the log shows in the report as work not done; the run goes on.
                LOG.warn("cannot write the chaos event log: {}", e.toString());
            }
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (out) {
            out.close();
        }
    }
}
