package io.ha.core.task.store;

import io.ha.core.CorruptDataException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The group nodes: reads of a header and its shards with their versions, and the operations that write them. Every
 * write is versioned; nothing here decides what to write.
 */
public final class GroupStore {
    private final CuratorFramework client;
    private final ZPaths paths;
    private final long readTimeoutMs;

    public GroupStore(CuratorFramework client, ZPaths paths, long readTimeoutMs) {
        this.client = client;
        this.paths = paths;
        this.readTimeoutMs = readTimeoutMs;
    }

    /** The header with its version, or null when no such group exists (never made, or pruned). */
    public Versioned<GroupRecord> readHeader(String groupId) throws Exception {
        return read(paths.group(groupId), GroupRecord.class);
    }

    /** One shard with its version, or null when it does not exist. */
    Versioned<GroupShard> readShard(String groupId, int shard) throws Exception {
        return read(paths.groupShard(groupId, shard), GroupShard.class);
    }

    /**
     * Every shard of {@code group}, in order, read together (pipelined).
     *
     * @throws CorruptDataException when one is missing or unreadable: a group whose shards are gone cannot join
     */
    List<GroupShard> readShards(GroupRecord group) throws Exception {
        List<String> shardPaths = new ArrayList<>(group.shards());
        for (int k = 0; k < group.shards(); k++) {
            shardPaths.add(paths.groupShard(group.id(), k));
        }
        List<GroupShard> out = new ArrayList<>(group.shards());
        for (AsyncReads.Result r : AsyncReads.getData(client, shardPaths, readTimeoutMs)) {
            if (!r.ok()) {
                throw new CorruptDataException(r.path(), "group shard unreadable: " + r.code());
            }
            out.add(Json.read(r.path(), r.data(), GroupShard.class));
        }
        return out;
    }

    private <T> Versioned<T> read(String path, Class<T> type) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(path);
            return new Versioned<>(Json.read(path, data, type), stat.getVersion());
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    /** Creates the bucket directory of {@code groupId} if needed (groups came after the task layout). */
    void ensureBucket(String groupId) throws Exception {
        String bucket = paths.groupsBucket(Buckets.of(groupId));
        if (client.checkExists().forPath(bucket) == null) {
            try {
                client.create().creatingParentsIfNeeded().forPath(bucket);
            } catch (KeeperException.NodeExistsException e) {
                // Made by another submitter at the same time.
            }
        }
    }

    CuratorOp createHeader(GroupRecord group) throws Exception {
        return client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(paths.group(group.id()),
                Json.write(group));
    }

    CuratorOp createShard(String groupId, GroupShard shard) throws Exception {
        return client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                .forPath(paths.groupShard(groupId, shard.shard()), Json.write(shard));
    }

    CuratorOp setHeader(int version, GroupRecord group) throws Exception {
        return client.transactionOp().setData().withVersion(version).forPath(paths.group(group.id()),
                Json.write(group));
    }

    CuratorOp checkHeader(String groupId, int version) throws Exception {
        return client.transactionOp().check().withVersion(version).forPath(paths.group(groupId));
    }

    CuratorOp setShard(String groupId, int version, GroupShard shard) throws Exception {
        return client.transactionOp().setData().withVersion(version)
                .forPath(paths.groupShard(groupId, shard.shard()), Json.write(shard));
    }
}
