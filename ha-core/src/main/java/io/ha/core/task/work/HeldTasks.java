package io.ha.core.task.work;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The tasks a worker holds, from the moment their assignment is seen until the worker is done with them (read,
 * decided on, claimed, run, committed). At most one {@link RunningTask} per task id: a task assigned again while its
 * previous attempt still finishes here is remembered and looked at again once that attempt is released.
 *
 * <p>Guarantees: {@link #hold} and {@link #release} are atomic with the memory of re-assignments, so a new assignment
 * that arrives while the old one is being released is either held now or handed to {@code assignedAgain}, never
 * lost. A waiter in {@link #awaitUntil} is woken by every release and every start, so it returns as soon as its
 * condition holds, without polling. Not guaranteed: that the held set is still the same when a caller acts on a copy
 * of it ({@link #all}, {@link #ids}); callers re-check what they need in ZooKeeper (version checks).
 */
final class HeldTasks {
    private final Map<String, RunningTask> tasks = new ConcurrentHashMap<>();
    /** Task ids assigned again while still held here (guarded by {@link #lock}). */
    private final Set<String> recheck = new HashSet<>();
    /** Guards membership changes together with {@link #recheck}; the same single lock the worker always had. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /**
     * Threads in {@link #awaitUntil}. A start ({@link #started}) takes the lock to wake them only when there are any,
     * so the claim's hot path pays one volatile read and no lock while nobody drains.
     */
    private volatile int waiters;
    private final Consumer<String> assignedAgain;

    /** @param assignedAgain called (outside the lock) with a task that was assigned again while it was held */
    HeldTasks(Consumer<String> assignedAgain) {
        this.assignedAgain = assignedAgain;
    }

    /**
     * Holds {@code rt}, or returns false when its task is already held (its last attempt is finishing here): then it
     * is looked at again once released.
     */
    boolean hold(RunningTask rt) {
        lock.lock();
        try {
            if (tasks.putIfAbsent(rt.taskId, rt) != null) {
                recheck.add(rt.taskId);
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The worker is done with {@code rt}; a new assignment of the same task that arrived meanwhile starts now. */
    void release(RunningTask rt) {
        boolean again;
        lock.lock();
        try {
            tasks.remove(rt.taskId, rt);
            again = recheck.remove(rt.taskId);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (again) {
            assignedAgain.accept(rt.taskId);
        }
    }

    /** Marks {@code rt} claimed (its handler is about to run) and wakes a drainer waiting for that. */
    void started(RunningTask rt) {
        rt.started = true;
        // Dekker-style with awaitUntil: it counts itself in before testing its condition, this writes started before
        // reading the count, so either the waiter sees started or this sees the waiter (both fields are volatile).
        if (waiters > 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    RunningTask get(String taskId) {
        return tasks.get(taskId);
    }

    boolean holds(String taskId) {
        return tasks.containsKey(taskId);
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }

    boolean anyNotStarted() {
        return tasks.values().stream().anyMatch(rt -> !rt.started);
    }

    /** A copy of the held tasks. */
    List<RunningTask> all() {
        return List.copyOf(tasks.values());
    }

    /** A copy of the held task ids. */
    Set<String> ids() {
        return Set.copyOf(tasks.keySet());
    }

    /**
     * Waits until {@code condition} holds or {@code deadlineNanos} ({@link System#nanoTime()}) passes; true when it
     * holds. The condition is tested under the lock after every release and start, so it must be quick.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    boolean awaitUntil(BooleanSupplier condition, long deadlineNanos) throws InterruptedException {
        lock.lock();
        waiters++;
        try {
            while (!condition.getAsBoolean()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            waiters--;
            lock.unlock();
        }
    }
}
