package io.ha.agent.bench;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.queue.SimpleDistributedQueue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * The peer baselines: Curator's own ZooKeeper queues doing the same work as the HA queue (one producer, N consumers,
 * a no-op consumer), each client with its own connection as the HA members have. Returns items per second from the
 * first put to the last item consumed.
 */
final class CuratorQueueBench {
    private static final QueueSerializer<byte[]> BYTES = new QueueSerializer<>() {
        @Override
        public byte[] serialize(byte[] item) {
            return item;
        }

        @Override
        public byte[] deserialize(byte[] bytes) {
            return bytes;
        }
    };

    private final String connectString;
    private final int sessionTimeoutMs;

    CuratorQueueBench(String connectString, int sessionTimeoutMs) {
        this.connectString = connectString;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    private CuratorFramework client() throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs).connectionTimeoutMs(15_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 5)).build();
        c.start();
        if (!c.blockUntilConnected(15, TimeUnit.SECONDS)) {
            c.close();
            throw new BenchException("Curator client could not connect to " + connectString + " in 15 s");
        }
        return c;
    }

    /**
     * {@link DistributedQueue} as built by {@link QueueBuilder} with its defaults (puts in the background, no lock
     * path: an item is deleted before it is consumed, so a consumer crash loses it).
     */
    double distributedQueue(String path, int items, int consumers, byte[] payload, Duration timeout)
            throws Exception {
        List<CuratorFramework> clients = new ArrayList<>();
        List<DistributedQueue<byte[]>> queues = new ArrayList<>();
        CountDownLatch consumed = new CountDownLatch(items);
        QueueConsumer<byte[]> consumer = new QueueConsumer<>() {
            @Override
            public void consumeMessage(byte[] message) {
                consumed.countDown();
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState newState) {
            }
        };
        try {
            for (int i = 0; i < consumers; i++) {
                CuratorFramework c = client();
                clients.add(c);
                DistributedQueue<byte[]> q = QueueBuilder.builder(c, consumer, BYTES, path).buildQueue();
                queues.add(q);
                q.start();
            }
            CuratorFramework pc = client();
            clients.add(pc);
            DistributedQueue<byte[]> producer = QueueBuilder.builder(pc, null, BYTES, path).buildQueue();
            queues.add(producer);
            producer.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < items; i++) {
                producer.put(payload);
            }
            if (!consumed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new BenchException("Curator DistributedQueue consumed " + (items - consumed.getCount())
                        + " of " + items + " items in " + timeout.toSeconds() + " s");
            }
            double rate = items / ((System.nanoTime() - t0) / 1e9);
            // Consumers still walk their last (stale) child list; closing now interrupts them mid-call, which
            // DistributedQueue logs as an error. Let them reach their wait first (not timed).
            Thread.sleep(500);
            return rate;
        } finally {
            for (DistributedQueue<byte[]> q : queues) {
                q.close();
            }
            clients.forEach(CuratorFramework::close);
        }
    }

    /** {@link SimpleDistributedQueue}: {@code offer} per item, each consumer looping on {@code poll}. */
    double simpleQueue(String path, int items, int consumers, byte[] payload, Duration timeout) throws Exception {
        List<CuratorFramework> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(consumers + 1,
                new ThreadFactoryBuilder().setNameFormat("bench-simple-queue-%d").setDaemon(true).build());
        AtomicInteger consumed = new AtomicInteger();
        CountDownLatch allConsumed = new CountDownLatch(items);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            List<SimpleDistributedQueue> queues = new ArrayList<>();
            for (int i = 0; i <= consumers; i++) {
                CuratorFramework c = client();
                clients.add(c);
                queues.add(new SimpleDistributedQueue(c, path));
            }
            List<Future<?>> futures = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < consumers; i++) {
                SimpleDistributedQueue q = queues.get(i);
                futures.add(pool.submit(() -> {
                    while (!stop.get() && consumed.get() < items) {
                        if (q.poll(100, TimeUnit.MILLISECONDS) != null) {
                            consumed.incrementAndGet();
                            allConsumed.countDown();
                        }
                    }
                    return null;
                }));
            }
            SimpleDistributedQueue producer = queues.get(consumers);
            futures.add(pool.submit(() -> {
                for (int i = 0; i < items && !stop.get(); i++) {
                    producer.offer(payload);
                }
                return null;
            }));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!allConsumed.await(200, TimeUnit.MILLISECONDS)) {
                for (Future<?> f : futures) {
                    if (f.isDone()) {
                        f.get(); // surfaces a producer or consumer failure
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchException("Curator SimpleDistributedQueue consumed " + consumed.get() + " of "
                            + items + " items in " + timeout.toSeconds() + " s");
                }
            }
            return items / ((System.nanoTime() - t0) / 1e9);
        } finally {
            stop.set(true);
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            clients.forEach(CuratorFramework::close);
        }
    }
}
