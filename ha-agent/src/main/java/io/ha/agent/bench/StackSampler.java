package io.ha.agent.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A sampling profiler for a few named threads: every {@code intervalMs} it takes their stacks and counts where each
 * one is, labelled by the innermost frame of the HA class that drives it ({@code Claimer.claim},
 * {@code Assigner.assign}, ...) and by whether it is waiting for ZooKeeper. Shows what a single-threaded
 * stage spends its time on. Few threads and a coarse interval keep its safepoints negligible.
 */
final class StackSampler implements AutoCloseable {
    /** Thread groups: a display name and the thread name prefix. */
    record Group(String name, String threadPrefix) {
    }

    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final List<Group> groups;
    private final long intervalMs;
    private final Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private StackSampler(List<Group> groups, long intervalMs) {
        this.groups = groups;
        this.intervalMs = intervalMs;
        groups.forEach(g -> counts.put(g.name(), new TreeMap<>()));
        thread = new Thread(this::loop, "bench-sampler");
        thread.setDaemon(true);
    }

    static StackSampler start(List<Group> groups, long intervalMs) {
        StackSampler s = new StackSampler(groups, intervalMs);
        s.thread.start();
        return s;
    }

    private void loop() {
        long[] ids = new long[0];
        String[] groupOf = new String[0];
        long nextScan = 0;
        while (running.get()) {
            long now = System.nanoTime();
            if (now >= nextScan) {
                List<Long> found = new ArrayList<>();
                List<String> foundGroups = new ArrayList<>();
                for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds(), 0)) {
                    if (info == null) {
                        continue;
                    }
                    for (Group g : groups) {
                        if (info.getThreadName().startsWith(g.threadPrefix())) {
                            found.add(info.getThreadId());
                            foundGroups.add(g.name());
                            break;
                        }
                    }
                }
                ids = found.stream().mapToLong(Long::longValue).toArray();
                groupOf = foundGroups.toArray(new String[0]);
                nextScan = now + 250_000_000L;
            }
            if (ids.length > 0) {
                ThreadInfo[] infos = mx.getThreadInfo(ids, 64);
                synchronized (counts) {
                    for (int i = 0; i < infos.length; i++) {
                        if (infos[i] != null) {
                            counts.get(groupOf[i]).merge(label(infos[i]), 1, Integer::sum);
                        }
                    }
                }
            }
            try {
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Where one sampled thread is. */
    static String label(ThreadInfo info) {
        StackTraceElement[] stack = info.getStackTrace();
        String where = null;
        boolean zk = false;
        boolean queueWait = false;
        for (StackTraceElement f : stack) {
            String cls = f.getClassName();
            if (where == null && (cls.startsWith("org.apache.zookeeper") || cls.startsWith("org.apache.curator")
                    || cls.equals("io.ha.core.internal.AsyncReads"))) {
                zk = true;
            }
            if (where == null && cls.equals("java.util.concurrent.LinkedBlockingQueue")
                    && (f.getMethodName().equals("poll") || f.getMethodName().equals("take"))) {
                queueWait = true;
            }
            if (where == null
                    && (cls.startsWith("io.ha.core.task.work.") || cls.startsWith("io.ha.core.task.dispatch."))) {
                where = cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethodName();
            }
        }
        if (where == null) {
            return "idle (waiting for work)";
        }
        if (zk) {
            return where + ": waiting for ZooKeeper";
        }
        if (queueWait) {
            return where + ": idle (waiting for events)";
        }
        return where + ": on CPU or runnable";
    }

    /** Share of samples per label, per group, largest first. */
    Map<String, Map<String, Double>> shares() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        synchronized (counts) {
            counts.forEach((group, labels) -> {
                int total = labels.values().stream().mapToInt(Integer::intValue).sum();
                Map<String, Double> shares = new LinkedHashMap<>();
                labels.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                        .forEach(e -> shares.put(e.getKey(), total == 0 ? 0 : 100.0 * e.getValue() / total));
                out.put(group, shares);
            });
        }
        return out;
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
