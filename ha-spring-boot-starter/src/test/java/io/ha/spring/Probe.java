package io.ha.spring;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** What the annotated test beans of all contexts of one test did: who ran, how many at once. Reset per test. */
final class Probe {
    static final AtomicInteger INSIDE = new AtomicInteger();
    static final AtomicInteger MAX_INSIDE = new AtomicInteger();
    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    static final List<Object> SEEN = new CopyOnWriteArrayList<>();

    private Probe() {
    }

    static void reset() {
        INSIDE.set(0);
        MAX_INSIDE.set(0);
        RUNS.clear();
        SEEN.clear();
    }

    /** Counts one run of {@code agent} that lasts {@code millis}, tracking how many run at once. */
    static void run(String agent, long millis) throws InterruptedException {
        MAX_INSIDE.accumulateAndGet(INSIDE.incrementAndGet(), Math::max);
        try {
            RUNS.computeIfAbsent(agent, a -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(millis);
        } finally {
            INSIDE.decrementAndGet();
        }
    }

    static int runs(String agent) {
        AtomicInteger n = RUNS.get(agent);
        return n == null ? 0 : n.get();
    }
}
