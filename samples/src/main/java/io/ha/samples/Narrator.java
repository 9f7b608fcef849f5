package io.ha.samples;

import java.io.PrintStream;

/**
 * Prints the demo's narrative on the console, each line stamped with the seconds elapsed since the demo started, so
 * that the parent's lines and the members' forwarded lines read as one timeline.
 *
 * <p>Lines from several threads never mix: each is written with a single {@code println}.
 */
final class Narrator {
    private final long startNanos = System.nanoTime();
    private final PrintStream out;

    Narrator(PrintStream out) {
        this.out = out;
    }

    /** Seconds since this narrator was created. */
    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** One narrative line of the demo itself. */
    void say(String format, Object... args) {
        out.println(stamp() + String.format(format, args));
    }

    /** One line forwarded from a member process, under that member's prefix. */
    void forward(String source, String line) {
        out.println(stamp() + "[" + source + "] " + line);
    }

    private String stamp() {
        return String.format("%6.1fs  ", elapsedSeconds());
    }
}
