package io.ha.core.task.dispatch;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The hand-off to a dispatcher term's single thread: watch events, membership changes and background callbacks
 * arrive on other threads and are queued here, so the term's state is only ever touched by its own thread and needs
 * no lock.
 *
 * <p>Guarantees: queued work runs on the term's thread in the order it was posted, and nothing posted after
 * {@link #end} is queued (late callbacks of a term that is over are muted). Not guaranteed: that work posted before
 * {@link #end} runs; the term stops taking it when it ends.
 */
final class TermEvents {
    private static final Runnable WAKE = () -> { };

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private volatile boolean over;
    private volatile boolean rescan;

    /** Queues {@code work} for the term's thread, unless the term is over. Any thread. */
    void post(Runnable work) {
        if (!over) {
            queue.add(work);
        }
    }

    /** Wakes the term's thread to look at its state again. Any thread. */
    void wake() {
        post(WAKE);
    }

    /** Asks for the view to be rebuilt from ZooKeeper before the next assignment (events may have been missed). */
    void requestRescan() {
        rescan = true;
    }

    /** True once after each {@link #requestRescan}. */
    boolean takeRescan() {
        if (rescan) {
            rescan = false;
            return true;
        }
        return false;
    }

    boolean over() {
        return over;
    }

    /** Runs everything queued now. Term thread only. */
    void runQueued() {
        Runnable work;
        while ((work = queue.poll()) != null) {
            work.run();
        }
    }

    /** Waits up to {@code millis} for one piece of work and runs it. Term thread only. */
    void runNext(long millis) throws InterruptedException {
        Runnable work = queue.poll(millis, TimeUnit.MILLISECONDS);
        if (work != null) {
            work.run();
        }
    }

    /** Mutes everything posted from now on. */
    void end() {
        over = true;
    }
}
