package io.ha.agent.supervisor;

import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's side of a supervisor's death: a supervised agent checks every {@link #INTERVAL_MS} ms that the process
 * that started it is still alive, and runs an action once when it is not. The agent stops (drains) then, so that a
 * supervisor started again (by systemd, by an operator) never finds an unsupervised agent of the same id still
 * running beside the new one.
 *
 * <p>Guarantee: the action runs at most once, within about one interval of the supervisor's exit by any means,
 * SIGKILL included; a recycled pid does not count as the supervisor (a process handle compares start times too).
 * Not guaranteed: anything when the supervisor is frozen rather than dead (SIGSTOP): it is alive to the kernel.
 */
public final class SupervisorWatch {
    public static final long INTERVAL_MS = 1000;

    private SupervisorWatch() {
    }

    /**
     * Starts watching this process's parent on a daemon thread and returns the parent's pid (empty when this process
     * has no parent left to watch, in which case {@code onGone} has already been run).
     */
    public static Optional<Long> start(Runnable onGone) {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty() || !parent.get().isAlive()) {
            onGone.run();
            return Optional.empty();
        }
        ProcessHandle supervisor = parent.get();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ha-supervisor-watch");
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean fired = new AtomicBoolean();
        timer.scheduleWithFixedDelay(() -> {
            if (!supervisor.isAlive() && fired.compareAndSet(false, true)) {
                timer.shutdown();
                onGone.run();
            }
        }, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
        return Optional.of(supervisor.pid());
    }
}
