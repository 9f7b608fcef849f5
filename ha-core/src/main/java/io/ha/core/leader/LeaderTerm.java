package io.ha.core.leader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leadership term: runs each leader service on its own thread for the term's duration, and on {@link #end}
 * interrupts them and waits for them to return, so that this process has stopped leader-only work before it lets any
 * other process lead.
 */
final class LeaderTerm implements LeaderContext {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderTerm.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final long epoch;
    private final String agentId;
    private final BooleanSupplier stillLeader;
    private final List<Thread> threads = new ArrayList<>();
    private final Object lock = new Object();
    private volatile boolean active = true;
    private int running;

    LeaderTerm(long epoch, String agentId, BooleanSupplier stillLeader) {
        this.epoch = epoch;
        this.agentId = agentId;
        this.stillLeader = stillLeader;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public String agentId() {
        return agentId;
    }

    @Override
    public boolean isLeader() {
        return active && stillLeader.getAsBoolean();
    }

    boolean active() {
        return active;
    }

    void startAll(Map<String, LeaderService> services, ExecutorService executor) {
        services.forEach((name, service) -> start(name, service, executor));
    }

    void start(String name, LeaderService service, ExecutorService executor) {
        synchronized (lock) {
            if (!active) {
                return;
            }
            running++;
        }
        executor.execute(() -> run(name, service));
    }

    private void run(String name, LeaderService service) {
        Thread self = Thread.currentThread();
        synchronized (lock) {
            threads.add(self);
            if (!active) {
                self.interrupt();
            }
        }
        String oldName = self.getName();
        self.setName("ha-leader-" + name + "-epoch-" + epoch);
        try {
            long backoff = 1000;
            while (active && !self.isInterrupted()) {
                try {
                    service.lead(this);
                    return;
                } catch (InterruptedException e) {
                    return;
                } catch (Exception | Error e) {
                    if (!active) {
                        return;
                    }
                    LOG.error("leader service '{}' failed in epoch {}; restarting it in {} ms", name, epoch, backoff,
                            e);
                    try {
                        Thread.sleep(backoff);
                    } catch (InterruptedException ie) {
                        return;
                    }
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                }
            }
        } finally {
            synchronized (lock) {
                threads.remove(self);
                running--;
                lock.notifyAll();
            }
            Thread.interrupted();
            self.setName(oldName);
        }
    }

    /** Marks the term over and interrupts its services at once; safe from any thread. */
    void interruptAll() {
        synchronized (lock) {
            active = false;
            threads.forEach(Thread::interrupt);
        }
    }

    /**
     * Ends the term: interrupts every service and waits up to {@code timeout} for all of them to return.
     *
     * @return true when all returned in time
     */
    boolean end(Duration timeout) throws InterruptedException {
        interruptAll();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (running > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    LOG.warn("{} leader service(s) still running {} ms after epoch {} ended: they ignore interruption",
                            running, timeout.toMillis(), epoch);
                    return false;
                }
                lock.wait(left);
            }
        }
        return true;
    }
}
