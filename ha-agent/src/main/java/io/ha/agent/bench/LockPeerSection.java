package io.ha.agent.bench;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Section {@code locks}: HA's exclusive work ({@code runExclusively}, an {@code InterProcessMutex} with a fencing
 * token, the connection guard's interruption and the event timeline) against a raw Curator {@code InterProcessMutex}
 * acquire/release on the same embedded server, the same session timeout and the same fsync setting.
 *
 * <p>Uncontended: one client of each, acquisitions timed one by one (acquire to release returned) in interleaved
 * rounds (the two alternate which goes first), so that drift on the shared machine hits both alike; p50 and mean.
 * Contended: {@value #CLIENTS} clients of each, each with its own session and thread, all taking the same lock for
 * the same time; acquisitions per second, in alternating rounds, the median counting. Every acquisition is checked
 * to be exclusive (a second holder at once fails the run). Not measured: locks held across a connection loss.
 */
final class LockPeerSection implements PeerSection {
    static final int CLIENTS = 8;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String CLUSTER = "bench-locks";

    /** One client's way to take a lock and give it back, timed by the caller. */
    private interface Locker {
        void lockOnce(Runnable inside) throws Exception;
    }

    @Override
    public String name() {
        return "locks";
    }

    @Override
    public String description() {
        return "runExclusively against a raw Curator InterProcessMutex: uncontended latency, 8-client throughput";
    }

    @Override
    public void run(PeerOptions options, PeerResults results) throws Exception {
        try (BenchServer server = BenchServer.start(options)) {
            uncontended(server.connectString(), options, results);
            contended(server.connectString(), options, results);
            results.put("lock_zk_fsync", options.fsync(), "locks, the ZooKeeper server syncs its log on commit");
        }
    }

    private static void uncontended(String cs, PeerOptions options, PeerResults results) throws Exception {
        int rounds = options.quick() ? 2 : 10;
        int perRound = options.quick() ? 25 : 300;
        try (HaCluster ha = observer(cs, "lock-u");
             CuratorFramework raw = rawClient(cs)) {
            Locker haLock = inside -> ha.exclusiveWork().runExclusively("uncontended", TIMEOUT, token -> {
                inside.run();
                return null;
            });
            Locker rawLock = mutexLocker(new InterProcessMutex(raw, "/bench-raw-locks/uncontended"));
            // Warm-up of both paths (class loading, JIT, the lock parents' creation) before anything is timed.
            time(haLock, perRound);
            time(rawLock, perRound);
            List<Long> haNanos = new ArrayList<>();
            List<Long> rawNanos = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    haNanos.addAll(time(haLock, perRound));
                    rawNanos.addAll(time(rawLock, perRound));
                } else {
                    rawNanos.addAll(time(rawLock, perRound));
                    haNanos.addAll(time(haLock, perRound));
                }
            }
            double haP50 = percentile(haNanos, 0.5) / 1e3;
            double rawP50 = percentile(rawNanos, 0.5) / 1e3;
            String n = String.format(Locale.ROOT, "%d acquisitions in %d interleaved rounds", haNanos.size(), rounds);
            results.put("lock_uncontended_p50_us", haP50, "runExclusively uncontended, acquire to release, p50 us ("
                    + n + ")");
            results.put("lock_uncontended_mean_us", mean(haNanos) / 1e3, "runExclusively uncontended, mean us");
            results.put("raw_mutex_uncontended_p50_us", rawP50, "raw InterProcessMutex uncontended, acquire to "
                    + "release, p50 us (" + n + ")");
            results.put("raw_mutex_uncontended_mean_us", mean(rawNanos) / 1e3,
                    "raw InterProcessMutex uncontended, mean us");
            double ratio = haP50 / rawP50;
            results.put("lock_vs_raw_mutex", ratio, "lock_uncontended_p50_us / raw_mutex_uncontended_p50_us "
                    + "(target <= 1.2)");
            results.put("target_lock_vs_raw_mutex_met", ratio <= 1.2, "target <= 1.2x met");
            results.progress(String.format(Locale.ROOT, "locks: uncontended p50 %.0f us (HA) vs %.0f us (raw "
                    + "mutex): %.2fx", haP50, rawP50, ratio));
        }
    }

    private static List<Long> time(Locker locker, int n) throws Exception {
        List<Long> nanos = new ArrayList<>(n);
        Runnable nothing = () -> { };
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            locker.lockOnce(nothing);
            nanos.add(System.nanoTime() - t0);
        }
        return nanos;
    }

    private static void contended(String cs, PeerOptions options, PeerResults results) throws Exception {
        int rounds = options.quick() ? 1 : 3;
        Duration length = options.quick() ? Duration.ofMillis(500) : Duration.ofSeconds(4);
        List<HaCluster> has = new ArrayList<>();
        List<CuratorFramework> raws = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS,
                new ThreadFactoryBuilder().setNameFormat("bench-locker-%d").setDaemon(true).build());
        try {
            List<Locker> haLockers = new ArrayList<>();
            List<Locker> rawLockers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                HaCluster ha = observer(cs, "lock-c" + i);
                has.add(ha);
                haLockers.add(inside -> ha.exclusiveWork().runExclusively("contended", TIMEOUT, token -> {
                    inside.run();
                    return null;
                }));
                CuratorFramework raw = rawClient(cs);
                raws.add(raw);
                rawLockers.add(mutexLocker(new InterProcessMutex(raw, "/bench-raw-locks/contended")));
            }
            contendedRound(pool, haLockers, Duration.ofMillis(length.toMillis() / 4));
            contendedRound(pool, rawLockers, Duration.ofMillis(length.toMillis() / 4));
            List<Double> haRates = new ArrayList<>();
            List<Double> rawRates = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    haRates.add(contendedRound(pool, haLockers, length));
                    rawRates.add(contendedRound(pool, rawLockers, length));
                } else {
                    rawRates.add(contendedRound(pool, rawLockers, length));
                    haRates.add(contendedRound(pool, haLockers, length));
                }
            }
            double ha = PeerResults.median(haRates);
            double raw = PeerResults.median(rawRates);
            String how = String.format(Locale.ROOT, "%d clients, own sessions, %d ms rounds, median of %d", CLIENTS,
                    length.toMillis(), rounds);
            results.put("lock_contended_per_s", ha, "runExclusively contended, acquisitions/s (" + how + ")");
            results.put("raw_mutex_contended_per_s", raw, "raw InterProcessMutex contended, acquisitions/s (" + how
                    + ")");
            results.put("lock_contended_vs_raw_mutex", ha / raw, "lock_contended_per_s / raw_mutex_contended_per_s");
            results.progress(String.format(Locale.ROOT, "locks: contended %.0f/s (HA) vs %.0f/s (raw mutex)", ha,
                    raw));
        } finally {
            pool.shutdownNow();
            has.forEach(HaCluster::close);
            raws.forEach(CuratorFramework::close);
        }
    }

    /** Every locker takes the lock in a loop until {@code length} has passed; returns acquisitions per second. */
    private static double contendedRound(ExecutorService pool, List<Locker> lockers, Duration length)
            throws Exception {
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Runnable inside = () -> {
            if (holders.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            holders.decrementAndGet();
        };
        long t0 = System.nanoTime();
        long end = t0 + length.toNanos();
        List<Future<Integer>> counts = new ArrayList<>();
        for (Locker locker : lockers) {
            counts.add(pool.submit(() -> {
                int n = 0;
                while (System.nanoTime() < end) {
                    locker.lockOnce(inside);
                    n++;
                }
                return n;
            }));
        }
        long total = 0;
        for (Future<Integer> f : counts) {
            total += f.get(length.toMillis() + TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (overlaps.get() > 0) {
            throw new BenchException("locks: " + overlaps.get() + " acquisition(s) overlapped another holder: the "
                    + "lock was not exclusive");
        }
        return total / seconds;
    }

    private static Locker mutexLocker(InterProcessMutex mutex) {
        return inside -> {
            if (!mutex.acquire(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new BenchException("raw mutex not acquired within " + TIMEOUT.toSeconds() + " s");
            }
            try {
                inside.run();
            } finally {
                mutex.release();
            }
        };
    }

    private static HaCluster observer(String cs, String id) throws Exception {
        return HaCluster.builder().connectString(cs).clusterName(CLUSTER).agentId(id).role(ClusterRole.OBSERVER)
                .sessionTimeout(HaFleet.SESSION_TIMEOUT).connectionTimeout(HaFleet.CONNECTION_TIMEOUT).build()
                .start();
    }

    /** A client as a user of Curator would make it, with HA's session and connection timeouts. */
    private static CuratorFramework rawClient(String cs) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(cs)
                .sessionTimeoutMs((int) HaFleet.SESSION_TIMEOUT.toMillis())
                .connectionTimeoutMs((int) HaFleet.CONNECTION_TIMEOUT.toMillis())
                .retryPolicy(new ExponentialBackoffRetry(100, 5)).build();
        c.start();
        if (!c.blockUntilConnected((int) HaFleet.CONNECTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            c.close();
            throw new BenchException("raw Curator client not connected to " + cs + " within "
                    + HaFleet.CONNECTION_TIMEOUT.toSeconds() + " s");
        }
        return c;
    }

    private static double percentile(List<Long> nanos, double p) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double mean(List<Long> nanos) {
        return nanos.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
    }
}
