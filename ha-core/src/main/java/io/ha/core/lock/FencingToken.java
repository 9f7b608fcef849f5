package io.ha.core.lock;

import com.google.common.base.Preconditions;

/**
 * Proof of one acquisition of a lock: for a given lock name, the value strictly increases with every acquisition by
 * any process (it is the sequence number ZooKeeper gave the lock node, whose parent is never deleted). A system
 * outside ZooKeeper that remembers the highest value it has accepted can refuse a holder whose lock was lost.
 *
 * <p>Not comparable across different lock names. The value wraps after 2^31 acquisitions of one lock.
 */
public record FencingToken(String lockName, long value) implements Comparable<FencingToken> {
    public FencingToken {
        Preconditions.checkArgument(lockName != null && !lockName.isEmpty(), "lock name must not be empty");
        Preconditions.checkArgument(value >= 0, "fencing token must not be negative: %s", value);
    }

    @Override
    public int compareTo(FencingToken other) {
        Preconditions.checkArgument(lockName.equals(other.lockName), "cannot compare tokens of locks %s and %s",
                lockName, other.lockName);
        return Long.compare(value, other.value);
    }
}
