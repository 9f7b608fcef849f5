package io.ha.core.lock;

import com.google.common.base.Preconditions;
import io.ha.core.HaException;
import io.ha.core.LockLostException;
import io.ha.core.LockTimeoutException;
import io.ha.core.Names;
import io.ha.core.internal.ZPaths;
import io.ha.core.session.ClusterContext;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.session.EventKind;
import java.io.Closeable;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide mutual exclusion by name (Curator {@link org.apache.curator.framework.recipes.locks.InterProcessMutex}
 * under {@code /locks/<name>}).
 *
 * <p>Guarantees: at most one thread in the cluster runs work under a given lock name while every holder's
 * connection is trusted; the work receives a {@link FencingToken} that strictly increases with each acquisition of
 * that lock; the work's thread is interrupted as soon as the lock can no longer be guaranteed (connection SUSPENDED
 * or LOST per {@link io.ha.core.session.ConnectionPolicy}), and the call then ends with {@link LockLostException}.
 * Reentrant per thread, as in Curator: a nested call on the same name in the same thread runs at once with the same
 * token. Not guaranteed: that a holder which ignores interruption stops touching shared state; fence such state with
 * the token.
 */
public final class ExclusiveWork implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ExclusiveWork.class);

    private final ClusterContext ctx;
    private final Map<String, FencedMutex> mutexes = new ConcurrentHashMap<>();
    private final Set<Holder> holders = ConcurrentHashMap.newKeySet();
    private final ConnectionGuard.Listener guardListener = this::onConnectionChange;

    /** One running piece of exclusive work. */
    private static final class Holder {
        final Thread thread = Thread.currentThread();
        final FencingToken token;
        private boolean lost;
        private boolean finished;

        Holder(FencingToken token) {
            this.token = token;
        }

        /** Marks the lock lost and interrupts the work; false when already lost or the work has finished. */
        synchronized boolean lose() {
            if (lost || finished) {
                return false;
            }
            lost = true;
            thread.interrupt();
            return true;
        }

        /**
         * Called by the work's own thread when it is done: from here on no interrupt can reach it. Clears an
         * interrupt that was ours, so it does not leak into the caller's code.
         */
        synchronized boolean finish() {
            finished = true;
            if (lost) {
                Thread.interrupted();
            }
            return lost;
        }

        synchronized boolean isLost() {
            return lost;
        }
    }

    public ExclusiveWork(ClusterContext ctx) {
        this.ctx = ctx;
        ctx.guard().addListener(guardListener);
    }

    /**
     * Runs {@code work} while holding the lock {@code name}, waiting up to {@code timeout} to acquire it.
     *
     * @throws LockTimeoutException when the lock was not acquired in time
     * @throws LockLostException    when the lock could no longer be guaranteed while the work ran
     * @throws Exception            whatever the work threw (the lock is released first)
     */
    public <T> T runExclusively(String name, Duration timeout, ExclusiveTask<T> work) throws Exception {
        Preconditions.checkNotNull(timeout, "lock timeout must not be null (lock '%s')", name);
        Preconditions.checkArgument(!timeout.isNegative(), "lock timeout must not be negative: %s", timeout);
        Attempt<T> attempt = run(name, timeout, work);
        if (!attempt.acquired()) {
            throw new LockTimeoutException("lock '" + name + "' was not acquired within " + timeout.toMillis()
                    + " ms");
        }
        return attempt.value();
    }

    /**
     * Runs {@code work} only if the lock {@code name} is free now; returns empty at once (after one round trip)
     * when another holder has it. Same guarantees as {@link #runExclusively}. The work must return a non-null
     * value (so that "ran" and "busy" can be told apart); a null result is refused with a
     * {@link NullPointerException} after the lock is released.
     */
    public <T> Optional<T> tryRunExclusively(String name, ExclusiveTask<T> work) throws Exception {
        Attempt<T> attempt = run(name, Duration.ZERO, work);
        if (!attempt.acquired()) {
            return Optional.empty();
        }
        return Optional.of(Preconditions.checkNotNull(attempt.value(),
                "work under lock '%s' returned null; tryRunExclusively needs a value", name));
    }

    private record Attempt<T>(boolean acquired, T value) {
    }

    /** True when the calling thread holds the lock {@code name}. */
    public boolean isHeldByCurrentThread(String name) {
        FencedMutex mutex = mutexes.get(name);
        return mutex != null && mutex.isOwnedByCurrentThread();
    }

    private <T> Attempt<T> run(String name, Duration timeout, ExclusiveTask<T> work) throws Exception {
        Names.validate("lock name", name);
        Preconditions.checkNotNull(work, "work");
        FencedMutex mutex = mutex(name);
        boolean nested = mutex.isOwnedByCurrentThread();
        if (!mutex.acquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return new Attempt<>(false, null);
        }
        FencingToken token = new FencingToken(name, ZPaths.sequenceOf(mutex.heldPath()));
        Holder holder = new Holder(token);
        holders.add(holder);
        if (!nested) {
            ctx.timeline().record(EventKind.LOCK_ACQUIRED, token.value(), "lock " + name);
        }
        T result = null;
        Exception failure = null;
        boolean lost;
        try {
            if (!ctx.guard().isSafe()) {
                markLost(holder, "connection " + ctx.guard().state());
            }
            if (!holder.isLost()) {
                result = work.run(token);
            }
        } catch (Exception e) {
            failure = e;
        } finally {
            lost = holder.finish();
            holders.remove(holder);
        }
        try {
            release(mutex, holder, nested, lost);
        } catch (Exception e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
        if (lost) {
            throw new LockLostException("lock '" + name + "' (fencing token " + token.value() + ") was lost while "
                    + "its work ran: the ZooKeeper connection could no longer be trusted", failure);
        }
        if (failure != null) {
            throw failure;
        }
        return new Attempt<>(true, result);
    }

    private void release(FencedMutex mutex, Holder holder, boolean nested, boolean lost) throws Exception {
        try {
            mutex.release();
            if (!nested && !lost) {
                ctx.timeline().record(EventKind.LOCK_RELEASED, holder.token.value(), "lock " + holder.token.lockName());
            }
        } catch (Exception e) {
            if (!lost) {
                throw new HaException("could not release lock '" + holder.token.lockName() + "': " + e.getMessage()
                        + " (its node is deleted in the background or with the session)", e);
            }
            // Lost already: the node went with the session, or Curator's guaranteed delete removes it later.
            LOG.debug("release of lost lock {} failed: {}", holder.token.lockName(), e.toString());
        }
    }

    private FencedMutex mutex(String name) throws Exception {
        FencedMutex existing = mutexes.get(name);
        if (existing != null) {
            return existing;
        }
        String path = ctx.paths().lock(name);
        // A PERSISTENT parent (Curator would create a container, which the server deletes when empty) keeps the
        // sequence numbers, and so the fencing tokens, increasing for the life of the cluster.
        try {
            ctx.client().create().creatingParentsIfNeeded().forPath(path);
        } catch (KeeperException.NodeExistsException e) {
            // Created earlier by this or another process: exactly what we need.
        }
        return mutexes.computeIfAbsent(name, n -> new FencedMutex(ctx.client(), path));
    }

    private void onConnectionChange(ConnectionGuard.State state, boolean safe) {
        if (!safe) {
            holders.forEach(h -> markLost(h, "connection " + state));
        }
    }

    private void markLost(Holder holder, String why) {
        if (holder.lose()) {
            ctx.timeline().record(EventKind.LOCK_LOST, holder.token.value(), "lock " + holder.token.lockName()
                    + ": " + why);
        }
    }

    /** Interrupts all running exclusive work (as if its locks were lost) and stops listening. */
    @Override
    public void close() {
        ctx.guard().removeListener(guardListener);
        holders.forEach(h -> markLost(h, "closing"));
    }
}
