package io.ha.core.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.LockLostException;
import io.ha.core.LockTimeoutException;
import io.ha.core.cluster.HaCluster;
import io.ha.core.session.ClusterEvent;
import io.ha.core.session.EventKind;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.proxy.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ExclusiveWork} against a real ZooKeeper server: mutual exclusion between processes (separate members, each
 * with its own session), fencing tokens, reentrancy, non-blocking and timed acquisition, and loss of the lock when
 * the holder's session is killed or its network is cut.
 */
class ExclusiveWorkTest extends ZkTestBase {
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "exclusive-work-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Runs {@code work} under {@code lock} on another thread and waits until it holds the lock; returns its end. */
    private Future<Long> holdInBackground(HaCluster member, String lock, CountDownLatch release) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        Future<Long> done = threads.submit(() -> member.exclusiveWork().runExclusively(lock, LOCK_WAIT, token -> {
            holding.countDown();
            release.await();
            return token.value();
        }));
        await().atMost(WAIT).until(() -> holding.getCount() == 0 || done.isDone());
        assertThat(done.isDone()).as("holder ended before it was released").isFalse();
        return done;
    }

    @Test
    void concurrentReadModifyWriteFromFourProcessesLosesNoUpdateAndTokensIncreaseInAcquisitionOrder()
            throws Exception {
        int clients = 4;
        int iterations = 50;
        List<HaCluster> members = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            members.add(member("rmw-" + i));
        }
        // Two copies of the shared state, both updated by a deliberately non-atomic read, yield, write: a plain
        // field in this JVM and a znode that each member reads and writes over its own session.
        String counterPath = "/rmw-counter";
        members.get(0).curator().create().forPath(counterPath, "0".getBytes(StandardCharsets.UTF_8));
        int[] field = new int[1];
        Object fieldMonitor = new Object(); // for visibility only; the read and the write are separate steps
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<Long> tokensInOrder = Collections.synchronizedList(new ArrayList<>());

        List<Future<?>> runs = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (HaCluster m : members) {
            CuratorFramework zk = m.curator();
            runs.add(threads.submit(() -> {
                go.await();
                for (int i = 0; i < iterations; i++) {
                    m.exclusiveWork().runExclusively("counter", LOCK_WAIT, token -> {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        tokensInOrder.add(token.value());
                        int read;
                        synchronized (fieldMonitor) {
                            read = field[0];
                        }
                        int stored = Integer.parseInt(new String(zk.getData().forPath(counterPath),
                                StandardCharsets.UTF_8));
                        Thread.yield();
                        synchronized (fieldMonitor) {
                            field[0] = read + 1;
                        }
                        zk.setData().forPath(counterPath, Integer.toString(stored + 1).getBytes(StandardCharsets.UTF_8));
                        inside.decrementAndGet();
                        return null;
                    });
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> run : runs) {
            run.get(2, TimeUnit.MINUTES);
        }

        assertThat(maxInside.get()).as("threads inside the lock at once").isEqualTo(1);
        synchronized (fieldMonitor) {
            assertThat(field[0]).isEqualTo(clients * iterations);
        }
        assertThat(new String(members.get(0).curator().getData().forPath(counterPath), StandardCharsets.UTF_8))
                .isEqualTo(Integer.toString(clients * iterations));
        assertThat(tokensInOrder).hasSize(clients * iterations);
        assertStrictlyIncreasing(tokensInOrder);
    }

    private static void assertStrictlyIncreasing(List<Long> tokens) {
        for (int i = 1; i < tokens.size(); i++) {
            assertThat(tokens.get(i)).as("token #%s of %s", i, tokens).isGreaterThan(tokens.get(i - 1));
        }
    }

    @Test
    void fencingTokensIncreaseAcrossClientsAndAcrossTheLockBeingIdle() throws Exception {
        HaCluster a = member("a");
        HaCluster b = member("b");
        List<Long> tokens = new ArrayList<>();

        tokens.add(a.exclusiveWork().runExclusively("job", LOCK_WAIT, FencingToken::value));
        tokens.add(b.exclusiveWork().runExclusively("job", LOCK_WAIT, FencingToken::value));
        tokens.add(b.exclusiveWork().runExclusively("job", LOCK_WAIT, FencingToken::value));
        tokens.add(a.exclusiveWork().tryRunExclusively("job", FencingToken::value).orElseThrow());
        // Idle: no holder, no waiter. Its parent must not be a container node, which the server would delete when
        // empty, restarting the sequence numbers (and so the tokens) from zero.
        String lockPath = paths(a).lock("job");
        assertThat(a.curator().getChildren().forPath(lockPath)).isEmpty();
        Stat parent = a.curator().checkExists().forPath(lockPath);
        assertThat(parent).isNotNull();
        assertThat(parent.getEphemeralOwner()).as("ephemeral owner of %s (containers have %s)", lockPath,
                Long.MIN_VALUE).isZero();
        // A fresh process that never used the lock continues the sequence as well.
        HaCluster c = member("c");
        tokens.add(c.exclusiveWork().runExclusively("job", LOCK_WAIT, FencingToken::value));
        tokens.add(a.exclusiveWork().runExclusively("job", LOCK_WAIT, FencingToken::value));

        assertStrictlyIncreasing(tokens);
        // The tokens in the holders' timelines are the same ones the work received.
        assertThat(a.timeline().ofKind(EventKind.LOCK_ACQUIRED)).extracting(ClusterEvent::token)
                .containsExactly(tokens.get(0), tokens.get(3), tokens.get(5));
        assertThat(c.timeline().ofKind(EventKind.LOCK_RELEASED)).extracting(ClusterEvent::token)
                .containsExactly(tokens.get(4));
    }

    @Test
    void nestedCallOnTheSameLockInTheSameThreadRunsAtOnceWithTheSameToken() throws Exception {
        HaCluster a = member("a");
        HaCluster b = member("b");
        ExclusiveWork work = a.exclusiveWork();

        List<Long> seen = work.runExclusively("nest", LOCK_WAIT, outer -> {
            assertThat(work.isHeldByCurrentThread("nest")).isTrue();
            // A zero timeout proves the nested call does not wait for the lock it already holds.
            long inner = work.runExclusively("nest", Duration.ZERO, token -> token.value());
            long innerTry = work.tryRunExclusively("nest", token -> token.value()).orElseThrow();
            // Leaving the nested calls must not release the lock held by the outer one.
            assertThat(work.isHeldByCurrentThread("nest")).isTrue();
            Optional<Boolean> other = b.exclusiveWork().tryRunExclusively("nest", token -> true);
            assertThat(other).as("another process while the outer call still holds the lock").isEmpty();
            return List.of(outer.value(), inner, innerTry);
        });

        assertThat(seen.get(1)).isEqualTo(seen.get(0));
        assertThat(seen.get(2)).isEqualTo(seen.get(0));
        assertThat(work.isHeldByCurrentThread("nest")).isFalse();
        assertThat(b.exclusiveWork().tryRunExclusively("nest", FencingToken::value)).hasValueSatisfying(
                token -> assertThat(token).isGreaterThan(seen.get(0)));
        // One acquisition, one release: nested calls are not separate acquisitions.
        assertThat(a.timeline().ofKind(EventKind.LOCK_ACQUIRED)).hasSize(1);
        assertThat(a.timeline().ofKind(EventKind.LOCK_RELEASED)).hasSize(1);
    }

    @Test
    void tryRunReturnsEmptyPromptlyWhileHeldElsewhereAndRunsWhenFree() throws Exception {
        HaCluster a = member("a");
        HaCluster b = member("b");
        CountDownLatch release = new CountDownLatch(1);
        Future<Long> holder = holdInBackground(a, "busy", release);

        AtomicBoolean ran = new AtomicBoolean();
        long start = System.nanoTime();
        Optional<String> result = b.exclusiveWork().tryRunExclusively("busy", token -> {
            ran.set(true);
            return "ran";
        });
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result).isEmpty();
        assertThat(ran).isFalse();
        assertThat(took).as("tryRunExclusively while held").isLessThan(Duration.ofSeconds(5));
        // The failed attempt left no waiter node behind that could delay others.
        assertThat(a.curator().getChildren().forPath(paths(a).lock("busy"))).hasSize(1);

        release.countDown();
        long heldToken = holder.get(30, TimeUnit.SECONDS);
        Optional<Long> later = b.exclusiveWork().tryRunExclusively("busy", FencingToken::value);
        assertThat(later).hasValueSatisfying(token -> assertThat(token).isGreaterThan(heldToken));
    }

    @Test
    void runWithTimeoutWhileHeldElsewhereThrowsLockTimeoutNamingTheLock() throws Exception {
        HaCluster a = member("a");
        HaCluster b = member("b");
        CountDownLatch release = new CountDownLatch(1);
        Future<Long> holder = holdInBackground(a, "report-job", release);

        AtomicBoolean ran = new AtomicBoolean();
        long start = System.nanoTime();
        assertThatThrownBy(() -> b.exclusiveWork().runExclusively("report-job", Duration.ofMillis(500), token -> {
            ran.set(true);
            return null;
        })).isInstanceOf(LockTimeoutException.class).hasMessageContaining("report-job").hasMessageContaining("500");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500))
                .isLessThan(Duration.ofSeconds(10));
        assertThat(ran).isFalse();

        release.countDown();
        holder.get(30, TimeUnit.SECONDS);
        // The timed-out waiter removed its node: the lock is free for it now.
        String ranLater = b.exclusiveWork().runExclusively("report-job", Duration.ofMillis(500), token -> "ran");
        assertThat(ranLater).isEqualTo("ran");
    }

    @Test
    void workIsInterruptedAndLockLostWhenTheHoldersSessionIsKilled() throws Exception {
        HaCluster a = member("a");
        HaCluster b = member("b");
        CountDownLatch holding = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        AtomicLong lostToken = new AtomicLong(-1);
        Future<Object> holder = threads.submit(() -> a.exclusiveWork().runExclusively("nightly", LOCK_WAIT, token -> {
            lostToken.set(token.value());
            holding.countDown();
            try {
                new CountDownLatch(1).await(); // blocks until interrupted
            } catch (InterruptedException e) {
                sawInterrupt.set(true);
                throw e;
            }
            return "finished";
        }));
        assertThat(holding.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        killSessionOnClient(a);

        await().atMost(WAIT).until(holder::isDone);
        assertThatThrownBy(holder::get).cause().isInstanceOf(LockLostException.class)
                .hasMessageContaining("nightly").hasCauseInstanceOf(InterruptedException.class);
        assertThat(sawInterrupt).isTrue();
        assertThat(a.timeline().ofKind(EventKind.LOCK_LOST)).singleElement().satisfies(e -> {
            assertThat(e.token()).isEqualTo(lostToken.get());
            assertThat(e.detail()).contains("nightly");
        });
        assertThat(a.timeline().ofKind(EventKind.LOCK_RELEASED)).isEmpty();

        // Another process gets the lock once the old session's node is gone, with a greater token.
        long next = b.exclusiveWork().runExclusively("nightly", LOCK_WAIT, FencingToken::value);
        assertThat(next).isGreaterThan(lostToken.get());
        // And the former holder, on its new session, can take part again.
        await().atMost(WAIT).until(() -> a.connectionGuard().isSafe());
        long again = a.exclusiveWork().runExclusively("nightly", LOCK_WAIT, FencingToken::value);
        assertThat(again).isGreaterThan(next);
    }

    @Test
    void partitionedHolderIsInterruptedBeforeAnotherProcessAcquires() throws Exception {
        TcpProxy proxy = closeLater(new TcpProxy(server.getPort()));
        HaCluster a = member("a", builder -> builder.connectString(proxy.connectString()));
        HaCluster b = member("b");
        CountDownLatch holding = new CountDownLatch(1);
        AtomicLong interruptedAt = new AtomicLong();
        AtomicLong aToken = new AtomicLong(-1);
        Future<Object> holder = threads.submit(() -> a.exclusiveWork().runExclusively("singleton", LOCK_WAIT,
                token -> {
                    aToken.set(token.value());
                    holding.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        interruptedAt.set(System.nanoTime());
                        throw e;
                    }
                    return "finished";
                }));
        assertThat(holding.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        AtomicLong acquiredAt = new AtomicLong();
        AtomicLong bToken = new AtomicLong(-1);
        Future<Object> waiter = threads.submit(() -> b.exclusiveWork().runExclusively("singleton", LOCK_WAIT,
                token -> {
                    acquiredAt.set(System.nanoTime());
                    bToken.set(token.value());
                    return null;
                }));

        proxy.partition();

        waiter.get(45, TimeUnit.SECONDS);
        assertThat(interruptedAt.get()).as("holder interrupted").isNotZero();
        assertThat(interruptedAt.get()).as("holder's interruption vs. the other's acquisition (nanoTime)")
                .isLessThanOrEqualTo(acquiredAt.get());
        assertThat(bToken.get()).isGreaterThan(aToken.get());
        proxy.heal();
        await().atMost(WAIT).until(holder::isDone);
        assertThatThrownBy(holder::get).cause().isInstanceOf(LockLostException.class)
                .hasMessageContaining("singleton");
        assertThat(a.timeline().ofKind(EventKind.LOCK_LOST)).hasSize(1);
    }

    @Test
    void invalidLockNamesAreRejectedNamingTheLockName() throws Exception {
        HaCluster a = member("a");
        ExclusiveWork work = a.exclusiveWork();
        AtomicReference<String> ran = new AtomicReference<>();
        List<String> invalid = new ArrayList<>(List.of("", "a/b", "/lock", "x".repeat(201), "bad\u0001name",
                "line\nbreak", ".", ".."));
        invalid.add(null);
        for (String name : invalid) {
            assertThatThrownBy(() -> work.runExclusively(name, Duration.ofSeconds(1), token -> {
                ran.set(name);
                return null;
            })).as("runExclusively(%s)", name).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lock name");
            assertThatThrownBy(() -> work.tryRunExclusively(name, token -> {
                ran.set(name);
                return "ran";
            })).as("tryRunExclusively(%s)", name).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lock name");
        }
        assertThat(ran.get()).isNull();
        assertThat(a.curator().getChildren().forPath(paths(a).locks())).isEmpty();
        // The longest allowed name works.
        String longest = work.runExclusively("x".repeat(200), LOCK_WAIT, token -> "ran");
        assertThat(longest).isEqualTo("ran");
    }

    @Test
    void workIsInterruptedWhenTheMemberCloses() throws Exception {
        HaCluster a = member("a");
        HaCluster b = member("b");
        CountDownLatch holding = new CountDownLatch(1);
        AtomicLong aToken = new AtomicLong(-1);
        CompletableFuture<Object> holder = CompletableFuture.supplyAsync(() -> {
            try {
                return a.exclusiveWork().runExclusively("closing", LOCK_WAIT, token -> {
                    aToken.set(token.value());
                    holding.countDown();
                    new CountDownLatch(1).await();
                    return "finished";
                });
            } catch (Exception e) {
                return e;
            }
        }, threads);
        assertThat(holding.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        a.close();

        Object outcome = holder.get(30, TimeUnit.SECONDS);
        assertThat(outcome).isInstanceOf(LockLostException.class);
        assertThat(b.exclusiveWork().runExclusively("closing", LOCK_WAIT, FencingToken::value))
                .isGreaterThan(aToken.get());
    }
}
