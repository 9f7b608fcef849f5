package io.ha.spring;

import io.ha.core.leader.LeaderContext;
import io.ha.core.leader.LeaderService;
import org.springframework.context.SmartLifecycle;

/**
 * A {@link LeaderOnly} {@code SmartLifecycle} bean, run as a leader service: while the context wants it running,
 * each leadership term of this instance starts it and the term's end stops it. The context's own start and stop
 * only say whether it is wanted. Guarantee: the bean is started only inside a term and stopped before the term is
 * given up on a graceful stop. Not guaranteed: that its own work stops when {@code stop()} returns.
 */
final class LeaderLifecycle implements LeaderService {
    private final SmartLifecycle target;
    private boolean wanted;
    private boolean running;

    LeaderLifecycle(SmartLifecycle target) {
        this.target = target;
    }

    @Override
    public void lead(LeaderContext context) throws InterruptedException {
        synchronized (this) {
            while (!wanted) {
                wait();
            }
            target.start();
            running = true;
        }
        try {
            synchronized (this) {
                while (wanted) {
                    wait();
                }
            }
        } finally {
            synchronized (this) {
                running = false;
                target.stop();
                notifyAll();
            }
        }
    }

    /** The context started the bean: it runs during terms from now on. */
    synchronized void want() {
        wanted = true;
        notifyAll();
    }

    /** The context stopped the bean: stops it now if a term runs it. */
    synchronized void unwant() {
        wanted = false;
        notifyAll();
        long deadline = System.currentTimeMillis() + 10_000;
        while (running && System.currentTimeMillis() < deadline) {
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** What the context sees as running: whether it wants the bean, so that it stops it on shutdown. */
    synchronized boolean wanted() {
        return wanted;
    }

    /** Whether the bean runs now (this instance leads). */
    synchronized boolean running() {
        return running;
    }
}
