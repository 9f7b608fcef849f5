package io.ha.agent.demo;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The demo's console: narrative lines stamped with the seconds since the start, and the progress either as one live
 * line redrawn in place (a terminal) or as a plain line every {@link #PLAIN_EVERY_NANOS} (CI logs, pipes, {@code --ci}).
 * Thread-safe: every method holds the lock, so a narrative line never lands inside the live bar.
 */
final class DemoConsole {
    private static final long PLAIN_EVERY_NANOS = 2_000_000_000L;
    private static final int BAR_WIDTH = 30;
    private static final String CLEAR_LINE = "\r\033[2K";

    /** What the progress line shows. */
    /**
     * What the progress line shows.
     *
     * @param busy      tasks assigned to or running on live agents
     * @param stranded  tasks still assigned to the killed agent (until its session expires)
     * @param victim    the killed agent's id, or null
     */
    record Progress(int total, long succeeded, long busy, long stranded, String victim, long pending, long failed,
                    int reassigned) {
    }

    private final PrintStream out;
    private final boolean live;
    private final long startNanos = System.nanoTime();
    private String bar;
    private long lastPlain;

    DemoConsole(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /** A live bar only on a terminal that understands ANSI, and never when asked for plain output. */
    static boolean terminalSupportsLiveBar(boolean ci) {
        String term = System.getenv("TERM");
        return !ci && System.console() != null && term != null && !term.isEmpty() && !term.equals("dumb")
                && System.getenv("CI") == null;
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    synchronized void say(String format, Object... args) {
        String line = stamp() + String.format(Locale.ROOT, format, args);
        if (live && bar != null) {
            out.print(CLEAR_LINE + line + "\n" + bar);
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Shows the progress: redraws the live bar, or prints a plain line when the last is 2 s old ({@code force}: now). */
    synchronized void progress(Progress p, boolean force) {
        if (live) {
            bar = renderBar(p);
            out.print(CLEAR_LINE + bar);
            out.flush();
            return;
        }
        long now = System.nanoTime();
        if (force || lastPlain == 0 || now - lastPlain >= PLAIN_EVERY_NANOS) {
            lastPlain = now;
            out.println(stamp() + String.format(Locale.ROOT, "progress: %d/%d succeeded, %d running, %d pending, "
                    + "%d reassigned%s%s", p.succeeded(), p.total(), p.busy(), p.pending(), p.reassigned(),
                    stranded(p), p.failed() > 0 ? ", " + p.failed() + " failed" : ""));
            out.flush();
        }
    }

    /** Ends the live bar's line, so what follows starts on a line of its own. */
    synchronized void endProgress() {
        if (live && bar != null) {
            out.println();
            out.flush();
        }
        bar = null;
    }

    private String renderBar(Progress p) {
        int total = Math.max(1, p.total());
        int done = (int) Math.min(BAR_WIDTH, p.succeeded() * BAR_WIDTH / total);
        int busy = (int) Math.min(BAR_WIDTH - done, Math.ceil((p.busy() + p.stranded()) * (double) BAR_WIDTH / total));
        String green = "\033[32m";
        String yellow = "\033[33m";
        String red = "\033[31m";
        String reset = "\033[0m";
        return stamp() + "[" + green + "#".repeat(done) + yellow + ">".repeat(busy) + reset
                + ".".repeat(BAR_WIDTH - done - busy) + "] " + green
                + String.format(Locale.ROOT, "%3d/%d succeeded", p.succeeded(), p.total()) + reset
                + " | " + p.busy() + " running | " + p.pending() + " pending | "
                + (p.reassigned() > 0 ? yellow : "") + p.reassigned() + " reassigned" + reset
                + (p.stranded() > 0 ? red + stranded(p).replace(", ", " | ") + reset : "")
                + (p.failed() > 0 ? red + " | " + p.failed() + " failed" + reset : "");
    }

    private static String stranded(Progress p) {
        return p.stranded() > 0 ? ", " + p.stranded() + " stuck on " + p.victim() + " until its session expires" : "";
    }

    private String stamp() {
        return String.format(Locale.ROOT, "%6.1fs  ", elapsedSeconds());
    }
}
