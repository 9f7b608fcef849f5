package io.ha.spring;

import io.ha.core.leader.LeaderContext;
import io.ha.core.leader.LeaderService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Admits {@link LeaderOnly} calls during this instance's leadership terms. It is itself a leader service: a term
 * opens the gate; when the term ends (or the cluster stops) the gate closes, interrupts the calls inside and waits
 * for them to return, up to a timeout, before the election may go on; so on a graceful stop the next leader's calls
 * do not overlap this one's. Not guaranteed: that a call which ignores interruption returns within the timeout.
 */
final class LeaderOnlyGate implements LeaderService {
    private final Duration drainTimeout;
    private final Set<Thread> inside = new HashSet<>();
    private long epoch;
    private boolean open;

    LeaderOnlyGate(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    @Override
    public void lead(LeaderContext context) throws InterruptedException {
        synchronized (this) {
            open = true;
            epoch = context.epoch();
        }
        try {
            synchronized (this) {
                while (true) {
                    wait();
                }
            }
        } finally {
            closeAndDrain();
        }
    }

    private synchronized void closeAndDrain() {
        open = false;
        inside.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        boolean interrupted = false;
        while (!inside.isEmpty() && System.nanoTime() < deadline) {
            try {
                wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true; // Keep waiting for the calls: leaving now would let the next term overlap them.
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets the calling thread in if a term is open; the epoch of the term, or -1 when it may not run. */
    synchronized long enter() {
        if (!open) {
            return -1;
        }
        inside.add(Thread.currentThread());
        return epoch;
    }

    synchronized void exit() {
        inside.remove(Thread.currentThread());
        notifyAll();
    }

    synchronized boolean isOpen() {
        return open;
    }
}
