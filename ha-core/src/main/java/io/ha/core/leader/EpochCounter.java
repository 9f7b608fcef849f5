package io.ha.core.leader;

import io.ha.core.internal.EpochCodec;
import java.util.OptionalLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The cluster's leader epoch in {@code /epoch}: a decimal counter that a new leader increments with a versioned
 * write, in the same transaction that checks its election node still exists. Two processes can therefore never
 * obtain the same epoch, and a process whose election node is gone (a stale latch) obtains none.
 */
final class EpochCounter {
    private final CuratorFramework client;
    private final String path;

    EpochCounter(CuratorFramework client, String path) {
        this.client = client;
        this.path = path;
    }

    long read() throws Exception {
        try {
            return parse(client.getData().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
    }

    /**
     * Increments the epoch if {@code electionNode} still exists.
     *
     * @return the new epoch, or empty when the election node is gone
     */
    OptionalLong bump(String electionNode) throws Exception {
        while (true) {
            Stat stat = new Stat();
            long current;
            try {
                current = parse(client.getData().storingStatIn(stat).forPath(path));
            } catch (KeeperException.NoNodeException e) {
                // Only after the servers lost their data: start counting again (epochs restart at 1).
                createIfMissing();
                continue;
            }
            long next = current + 1;
            CuratorOp check = client.transactionOp().check().forPath(electionNode);
            CuratorOp set = client.transactionOp().setData().withVersion(stat.getVersion())
                    .forPath(path, EpochCodec.encode(next));
            try {
                client.transaction().forOperations(check, set);
                return OptionalLong.of(next);
            } catch (KeeperException.NoNodeException e) {
                if (client.checkExists().forPath(electionNode) == null) {
                    return OptionalLong.empty();
                }
                throw e;
            } catch (KeeperException.BadVersionException e) {
                // Another writer bumped in between (a deposed leader still finishing its own bump): read again.
            }
        }
    }

    private void createIfMissing() throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(path, EpochCodec.encode(0));
        } catch (KeeperException.NodeExistsException e) {
            // Another member re-created it first.
        }
    }

    private long parse(byte[] data) {
        return EpochCodec.decode(path, data);
    }
}
