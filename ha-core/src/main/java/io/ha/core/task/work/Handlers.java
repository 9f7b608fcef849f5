package io.ha.core.task.work;

import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.core.Names;
import io.ha.core.task.TaskHandler;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The handlers registered with a worker, each with its own executor of {@code concurrency} threads.
 *
 * <p>Guarantees: at most one handler per type, and a type is visible (to claims, in {@link #types}) only together
 * with its executor. Not guaranteed: that the types a claim saw are still all there is (a registration may land just
 * after; the task is then ended DEAD as unknown, as before).
 */
final class Handlers {
    /** A registered handler and the executor its tasks run on. */
    record Registration(TaskHandler handler, int concurrency, ThreadPoolExecutor executor) {
    }

    private final Map<String, Registration> byType = new ConcurrentHashMap<>();

    /**
     * Checks the arguments of a registration.
     *
     * @throws IllegalArgumentException when the type is invalid or the concurrency is out of range
     */
    static void validate(String type, TaskHandler handler, int concurrency) {
        Names.validate("task type", type);
        Preconditions.checkNotNull(handler, "handler");
        Preconditions.checkArgument(concurrency >= 1 && concurrency <= 10_000,
                "concurrency of task type '%s' must be in 1-10000, got %s", type, concurrency);
    }

    /**
     * Adds the handler of {@code type} (arguments {@link #validate validated}) with its executor.
     *
     * @throws IllegalArgumentException when the type already has a handler
     */
    void add(String type, TaskHandler handler, int concurrency) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(concurrency, concurrency, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new ThreadFactoryBuilder()
                .setNameFormat("ha-task-" + Names.forThreadName(type) + "-%d").setDaemon(true).build());
        if (byType.putIfAbsent(type, new Registration(handler, concurrency, executor)) != null) {
            executor.shutdown();
            throw new IllegalArgumentException("a handler for task type '" + type + "' is already registered");
        }
    }

    /** The registration of {@code type}, or null. */
    Registration get(String type) {
        return byType.get(type);
    }

    /** The registered types: a live view, not a copy. */
    Set<String> types() {
        return byType.keySet();
    }

    /** Total task slots (sum of the registered concurrencies). */
    int capacity() {
        return byType.values().stream().mapToInt(Registration::concurrency).sum();
    }

    /** Interrupts every running handler and refuses new ones. */
    void shutdownNow() {
        byType.values().forEach(r -> r.executor().shutdownNow());
    }
}
