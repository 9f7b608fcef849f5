package io.ha.process;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The latest lines of a child's output, at most {@code capacity}, and waits for a line matching a pattern. Written by
 * the reader threads, read by anyone.
 *
 * <p>Guarantee: lines are kept in the order they were added; a wait sees every line still in the buffer when it
 * starts and every line added while it waits. Not guaranteed: a line that was evicted (more than {@code capacity}
 * newer lines came after it) before a wait looked at it is not seen.
 */
final class OutputBuffer {
    /** One line and the stream it came from. */
    record Line(ChildProcess.Stream stream, String text) {
    }

    private final int capacity;
    private final ArrayDeque<Line> lines = new ArrayDeque<>();
    /** How many lines were ever added; the index of the oldest kept one is {@code added - lines.size()}. */
    private long added;
    private int openStreams;

    OutputBuffer(int capacity, int openStreams) {
        if (capacity < 1) {
            throw new IllegalArgumentException("an output buffer keeps at least one line, got " + capacity);
        }
        this.capacity = capacity;
        this.openStreams = openStreams;
    }

    synchronized void add(ChildProcess.Stream stream, String text) {
        lines.addLast(new Line(stream, text));
        if (lines.size() > capacity) {
            lines.removeFirst();
        }
        added++;
        notifyAll();
    }

    /** One of the piped streams reached its end. */
    synchronized void streamEnded() {
        openStreams--;
        notifyAll();
    }

    /** True once every piped stream reached its end: no line will be added any more. */
    synchronized boolean ended() {
        return openStreams <= 0;
    }

    /** The kept lines of the streams {@code filter} accepts, oldest first. */
    synchronized List<String> texts(Predicate<ChildProcess.Stream> filter) {
        List<String> out = new ArrayList<>(lines.size());
        for (Line l : lines) {
            if (filter.test(l.stream())) {
                out.add(l.text());
            }
        }
        return out;
    }

    /** The first kept line that {@code pattern} finds a match in. */
    synchronized Matcher find(Pattern pattern) {
        for (Line l : lines) {
            Matcher m = pattern.matcher(l.text());
            if (m.find()) {
                return m;
            }
        }
        return null;
    }

    /**
     * Waits for a line in which {@code pattern} finds a match, starting with the oldest kept line.
     *
     * @param who names the process in the messages of the exceptions
     * @throws TimeoutException when no line matched within {@code timeout}
     * @throws EOFException     when the output ended without a matching line
     */
    synchronized Matcher await(Pattern pattern, Duration timeout, String who)
            throws TimeoutException, EOFException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long next = added - lines.size();
        while (true) {
            long oldest = added - lines.size();
            // Lines evicted while this thread waited cannot be looked at any more; go on with the oldest kept one.
            next = Math.max(next, oldest);
            Iterator<Line> it = lines.iterator();
            for (long i = oldest; i < next; i++) {
                it.next();
            }
            while (it.hasNext()) {
                next++;
                Matcher m = pattern.matcher(it.next().text());
                if (m.find()) {
                    return m;
                }
            }
            if (ended()) {
                throw new EOFException(who + " ended its output without a line matching '" + pattern + "'");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException(who + " printed no line matching '" + pattern + "' within "
                        + timeout.toMillis() + " ms");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
