package io.ha.samples.distributedlock;

import io.ha.core.LockLostException;
import io.ha.core.LockTimeoutException;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.lock.FencingToken;
import io.ha.samples.SampleNode;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client "machine" of the distributed-lock sample: adds 1 to the shared counter of a {@link FencedFileStore}, over
 * and over, each time as one read-modify-write under the cluster-wide lock {@value #LOCK}, until the counter reaches
 * {@code --target}; then it exits 0. With {@code --pause-at K} it pauses before its write on its K-th acquisition
 * (long enough for the sample to freeze it) and writes afterwards without checking anything, as a holder that was
 * stopped by a GC pause would.
 *
 * <p>Guarantee: every write it makes carries the token of the acquisition it read under, and it reports every write
 * the storage refused. Not guaranteed: that its write lands; a stale one is refused, and it goes on with a new token.
 */
public final class CounterClient {
    static final String LOCK = "shared-file";
    /** Longer than a frozen holder keeps the lock: its session timeout and the sample's wait. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    private static final Duration PAUSE = Duration.ofSeconds(2);
    private static final Duration THINK = Duration.ofMillis(150);

    private final SampleNode node;
    private final FencedFileStore store;
    private final int target;
    private final int pauseAt;
    private int acquisitions;
    private int writes;

    private CounterClient(SampleNode node) {
        this.node = node;
        this.store = new FencedFileStore(Path.of(node.option("store")));
        this.target = node.intOption("target", 30);
        this.pauseAt = node.intOption("pause-at", 0);
    }

    public static void main(String[] args) throws Exception {
        SampleNode node = SampleNode.parse("CounterClient", args);
        node.exitWithParent();
        // HA: a client that only needs the lock joins as an observer: it is in no membership and no election.
        try (HaCluster cluster = node.clusterBuilder().role(ClusterRole.OBSERVER).build().start()) {
            node.say("connected, pid %d; adding 1 to the shared counter until it reaches %d", ProcessHandle.current()
                    .pid(), node.intOption("target", 30));
            // HA: what ha-core makes of the ZooKeeper connection. A frozen process cannot see it change; once it runs
            // again, its client finds the session expired, and from then on no lock it held is trusted.
            cluster.connectionGuard().addListener((state, safe) -> node.say("ZooKeeper connection %s: %s", state,
                    safe ? "locks can be taken again" : "a lock held now can no longer be trusted"));
            new CounterClient(node).loop(cluster);
        }
        System.exit(0);
    }

    private void loop(HaCluster cluster) throws Exception {
        boolean more = true;
        while (more) {
            try {
                // HA: at most one process in the cluster runs this at a time (a lock node under /locks/shared-file;
                // waiters queue behind it in ZooKeeper's order). The token is that node's sequence number: it grows
                // with every acquisition, by whichever process.
                more = cluster.exclusiveWork().runExclusively(LOCK, LOCK_WAIT, this::incrementOnce);
            } catch (LockTimeoutException e) {
                node.say("still waiting for the lock: %s", e.getMessage());
            } catch (LockLostException e) {
                // HA: ha-core interrupts work whose lock it can no longer guarantee (the connection dropped, the
                // session expired) and ends the call with this exception, naming the lost token.
                node.say("learned from ha-core that it lost the lock: %s", e.getMessage());
            } catch (FencedFileStore.StaleTokenException e) {
                node.say("learned from the storage that its token %d is stale: the lock had passed on", e.token());
            }
            if (more) {
                Thread.sleep(THINK.toMillis());
            }
        }
        node.say("done: the counter reached %d; %d write(s) of mine were accepted", target, writes);
    }

    /** One read-modify-write under the lock; false once the counter has reached the target. */
    private Boolean incrementOnce(FencingToken token) throws Exception {
        acquisitions++;
        long value = store.read();
        if (value >= target) {
            return false;
        }
        if (acquisitions == pauseAt) {
            node.say("holds token %d, read counter %d, will write %d in %d ms", token.value(), value, value + 1,
                    PAUSE.toMillis());
            // The window the sample uses to freeze this process (SIGSTOP). Frozen, it cannot notice anything: not the
            // time passing, not its session expiring. When it runs again, it goes straight on to its write.
            sleepThrough(PAUSE);
        }
        // HA: the write carries the token. The lock alone cannot stop a holder that was frozen past its session from
        // writing late; the storage can, because it has seen a higher token since.
        try {
            store.write(node.id(), token.value(), value + 1);
        } catch (FencedFileStore.StaleTokenException e) {
            node.say("REFUSED by the storage: %s", e.getMessage());
            throw e;
        }
        writes++;
        node.say("token %d: counter %d -> %d", token.value(), value, value + 1);
        return value + 1 < target;
    }

    /** A pause that an interrupt does not cut short, as a GC pause or a slow disk would not be. */
    private static void sleepThrough(Duration pause) {
        long end = System.nanoTime() + pause.toNanos();
        boolean interrupted = false;
        for (long left = pause.toNanos(); left > 0; left = end - System.nanoTime()) {
            try {
                Thread.sleep(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
