package io.ha.process;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process this JVM started (a JVM of its own, or any command) and watches: its standard output, and its standard
 * error unless redirected, are read line by line on daemon threads into a bounded buffer of the latest lines, handed
 * to an optional listener and copied to an optional file. Start one with {@link #java(String)} or
 * {@link #command(List)}.
 *
 * <p>Signals go through the {@link ProcessHandle}: {@link Process#destroy()} would also close this side of the pipes
 * at once and lose the last lines the child writes. SIGSTOP and SIGCONT, which the JDK cannot send, go through
 * {@code kill(1)}.
 *
 * <p>Guarantee: every piped line is read as it comes (a child never blocks on a full pipe, whatever the listener
 * does), in order per stream; after {@link #close()} or {@link #killTree()} returns, the child and every descendant it
 * had at that moment have been sent SIGKILL. Not guaranteed: that {@link #awaitLine} sees a line that left the buffer
 * before the wait began ({@link ChildProcessBuilder#keepLines}); that a descendant which detached itself (double
 * fork) or was started after the listing is killed; the relative order of stdout and stderr lines. Standard input is
 * a pipe that nothing writes to and that stays open while this JVM lives (a child may take its end of file as "my
 * parent is gone").
 */
public final class ChildProcess implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
    /** How long {@link #awaitExit} waits, after the exit, for the last lines to come out of the pipes. */
    static final Duration OUTPUT_DRAIN = Duration.ofSeconds(2);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /** The stream a line came from. */
    public enum Stream { STDOUT, STDERR }

    /** The signals {@link #signal(long, Signal)} sends. */
    public enum Signal { TERM, KILL, STOP, CONT }

    /** Receives every line as it is read, on the reader thread of its stream; should return quickly. */
    @FunctionalInterface
    public interface LineListener {
        void line(Stream stream, String text);
    }

    private final String name;
    private final Process process;
    private final OutputBuffer output;
    private final OutputCopy copy;
    private final LineListener listener;
    private final List<Thread> readers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    ChildProcess(String name, Process process, boolean stderrPiped, int keepLines, OutputCopy copy,
                 LineListener listener) {
        this.name = name;
        this.process = process;
        this.output = new OutputBuffer(keepLines, stderrPiped ? 2 : 1);
        this.copy = copy;
        this.listener = listener;
        readers.add(reader(process.getInputStream(), Stream.STDOUT));
        if (stderrPiped) {
            readers.add(reader(process.getErrorStream(), Stream.STDERR));
        }
        readers.forEach(Thread::start);
    }

    /** A JVM with this JVM's java binary, running {@code mainClass} (the class path is this JVM's unless set). */
    public static ChildProcessBuilder java(String mainClass) {
        return new ChildProcessBuilder(mainClass, null);
    }

    /** Any program: {@code command} is the program and its first arguments. */
    public static ChildProcessBuilder command(List<String> command) {
        return new ChildProcessBuilder(null, command);
    }

    /** The java binary of this JVM (for children that must run the same Java). */
    public static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Sends {@code signal} to any process, with {@code kill(1)} (POSIX only): for STOP and CONT, and for processes
     * that are not children of this JVM (a grandchild found in the output).
     *
     * @throws IOException when {@code kill} cannot run or fails (no such process, not permitted), with its message
     */
    public static void signal(long pid, Signal signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal.name(), Long.toString(pid))
                .redirectErrorStream(true).start();
        String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int code = kill.waitFor();
        if (code != 0) {
            throw new IOException("kill -" + signal.name() + " " + pid + " failed (exit code " + code + ")"
                    + (said.isEmpty() ? "" : ": " + said));
        }
    }

    private Thread reader(InputStream in, Stream stream) {
        Thread t = new Thread(() -> read(in, stream), name + "-" + stream.name().toLowerCase(java.util.Locale.ROOT));
        t.setDaemon(true);
        return t;
    }

    private void read(InputStream in, Stream stream) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                // Copied and handed on before it becomes visible to waiters: whoever wakes on a line finds it in the
                // log file and already seen by the listener.
                if (copy != null) {
                    copy.write(line);
                }
                if (listener != null) {
                    try {
                        listener.line(stream, line);
                    } catch (RuntimeException e) {
                        // A failing listener must not stop the reading: the child would block on a full pipe.
                        LOG.warn("the output listener of {} failed on a line; reading goes on", name, e);
                    }
                }
                output.add(stream, line);
            }
        } catch (IOException e) {
            // The pipe broke (the child was killed mid-line) or was closed: there is nothing more to read.
            LOG.debug("reading the {} of {} ended: {}", stream, name, e.toString());
        } finally {
            output.streamEnded();
            if (copy != null && output.ended()) {
                copy.close();
            }
        }
    }

    /** The name given to the builder, for messages. */
    public String name() {
        return name;
    }

    /** The process id. */
    public long pid() {
        return process.pid();
    }

    /** The handle, for what this class does not offer (its descendants, its command line). */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** True until the process has exited. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or empty while the process runs. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** The kept lines of both streams, oldest first. */
    public List<String> lines() {
        return output.texts(s -> true);
    }

    /** The kept lines of standard output (both streams' when they are merged). */
    public List<String> stdout() {
        return output.texts(s -> s == Stream.STDOUT);
    }

    /** The kept lines of standard error; empty when it is redirected or merged. */
    public List<String> stderr() {
        return output.texts(s -> s == Stream.STDERR);
    }

    /** The first kept line, of either stream, in which {@code pattern} finds a match. */
    public Optional<Matcher> find(Pattern pattern) {
        return Optional.ofNullable(output.find(pattern));
    }

    /**
     * Waits for a line, of either stream, in which {@code pattern} finds a match ({@link Matcher#find()}); lines
     * read before the call count, as long as they are still kept.
     *
     * @return the matcher, positioned on the match, for its groups
     * @throws TimeoutException when no such line came within {@code timeout}
     * @throws EOFException     when the output ended first (the process exited or closed its streams)
     */
    public Matcher awaitLine(Pattern pattern, Duration timeout)
            throws TimeoutException, EOFException, InterruptedException {
        return output.await(pattern, timeout, name + " (pid " + pid() + ")");
    }

    /**
     * Waits up to {@code timeout} for the exit, then up to {@link #OUTPUT_DRAIN} for the last lines to be read (a
     * descendant still holding the pipes open could keep them open forever).
     *
     * @return the exit code, or empty when the process still runs after {@code timeout}
     */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return OptionalInt.empty();
        }
        long deadline = System.nanoTime() + OUTPUT_DRAIN.toNanos();
        for (Thread t : readers) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left > 0) {
                t.join(left);
            }
        }
        return OptionalInt.of(process.exitValue());
    }

    /** SIGTERM to the process only, without waiting. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL to the process only, without waiting: no shutdown hook runs; its own children live on. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /**
     * SIGKILL to the process and its descendants, without waiting. The descendants are listed first: once the
     * process is dead they are re-parented and can no longer be found through it. The process is killed before them,
     * so that it cannot start new ones in between.
     *
     * @return how many descendants were signalled
     */
    public int killTree() {
        List<ProcessHandle> descendants = process.toHandle().descendants().toList();
        process.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        return descendants.size();
    }

    /** SIGSTOP: the process freezes (no heartbeats, no replies) until {@link #resume()}. */
    public void suspend() throws IOException, InterruptedException {
        signal(pid(), Signal.STOP);
    }

    /** SIGCONT to a process that {@link #suspend()} froze. */
    public void resume() throws IOException, InterruptedException {
        signal(pid(), Signal.CONT);
    }

    /**
     * SIGTERM, and SIGKILL to the tree if the process still runs after {@code grace}.
     *
     * @return the exit code when it stopped within the grace (at once if it had exited already), empty when it had to
     *         be killed
     */
    public OptionalInt stop(Duration grace) throws InterruptedException {
        if (process.isAlive()) {
            terminate();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree();
                process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                return OptionalInt.empty();
            }
        }
        return awaitExit(Duration.ZERO);
    }

    /**
     * SIGKILL to the tree ({@link #killTree()}) and a wait of up to 10 s for the exit. May be called any number of
     * times; an interrupt during the wait ends the wait and is kept for the caller.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        killTree();
        try {
            process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }

    /** The copy of the output to a file, shared by the reader threads; a failed write ends the copying only. */
    static final class OutputCopy {
        private final Path file;
        private Writer out;

        OutputCopy(Path file, Writer out) {
            this.file = file;
            this.out = out;
        }

        synchronized void write(String line) {
            if (out == null) {
                return;
            }
            try {
                out.write(line);
                out.write(System.lineSeparator());
                // Flushed per line: the file is read while the child runs (a failure's last lines, a tail -f).
                out.flush();
            } catch (IOException e) {
                LOG.warn("cannot copy output to {} any more: {}", file, e.toString());
                close();
            }
        }

        synchronized void close() {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    LOG.debug("closing {} failed: {}", file, e.toString());
                }
                out = null;
            }
        }
    }
}
