package io.ha.core.task.store;

import io.ha.core.CorruptDataException;
import io.ha.core.Names;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import io.ha.core.task.LimitUsage;
import io.ha.core.task.Limits;
import io.ha.core.task.TypeLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Limits} in ZooKeeper: one node {@code /limits/<type>} per limited type holding its {@link TypeLimit} as
 * JSON. Values are validated before anything is written (a refused limit changes nothing stored). Usage is read from
 * the assignments ({@link AssignedTasks}), which is what the leader counts, so readers need no help from the leader.
 *
 * <p>Guarantees: a set or remove is one write, seen by the dispatcher's watch soon after. Not guaranteed: that usage
 * is a snapshot (assignments change while they are read), nor that a node that does not decode (written by hand) is
 * enforced: it is skipped with a warning, as if the type had no limit.
 */
public final class ZooKeeperLimits implements Limits {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperLimits.class);

    private final CuratorFramework client;
    private final ZPaths paths;
    private final long readTimeoutMs;

    public ZooKeeperLimits(CuratorFramework client, ZPaths paths, Duration readTimeout) {
        this.client = client;
        this.paths = paths;
        this.readTimeoutMs = readTimeout.toMillis();
    }

    @Override
    public void set(TypeLimit limit) throws Exception {
        client.create().orSetData().creatingParentsIfNeeded().forPath(paths.limit(limit.type()), Json.write(limit));
        LOG.info("limits of type '{}' set: {}", limit.type(), limit);
    }

    @Override
    public boolean remove(String type) throws Exception {
        Names.validate("task type", type);
        try {
            client.delete().forPath(paths.limit(type));
        } catch (KeeperException.NoNodeException e) {
            return false;
        }
        LOG.info("limits of type '{}' removed", type);
        return true;
    }

    @Override
    public Optional<TypeLimit> get(String type) throws Exception {
        Names.validate("task type", type);
        return Optional.ofNullable(readAll(client, paths, readTimeoutMs).get(type));
    }

    @Override
    public List<TypeLimit> list() throws Exception {
        return List.copyOf(readAll(client, paths, readTimeoutMs).values());
    }

    @Override
    public List<LimitUsage> usage() throws Exception {
        Map<String, TypeLimit> limits = readAll(client, paths, readTimeoutMs);
        if (limits.isEmpty()) {
            return List.of(); // nothing to count: the assignments are not read
        }
        Map<String, Integer> running = new HashMap<>();
        Map<String, Map<String, Integer>> byKey = new HashMap<>();
        for (AssignedTasks.Entry task : AssignedTasks.read(client, paths, readTimeoutMs).tasks()) {
            if (task.type() != null && limits.containsKey(task.type())) {
                running.merge(task.type(), 1, Integer::sum);
                if (task.concurrencyKey() != null) {
                    byKey.computeIfAbsent(task.type(), t -> new TreeMap<>()).merge(task.concurrencyKey(), 1,
                            Integer::sum);
                }
            }
        }
        List<LimitUsage> out = new ArrayList<>();
        for (TypeLimit limit : limits.values()) {
            out.add(new LimitUsage(limit, running.getOrDefault(limit.type(), 0),
                    byKey.getOrDefault(limit.type(), Map.of())));
        }
        return out;
    }

    /**
     * Every stored limit by type, sorted; nodes that do not decode to a valid limit of their own type are skipped
     * with a warning.
     */
    public static Map<String, TypeLimit> readAll(CuratorFramework client, ZPaths paths, long timeoutMs)
            throws Exception {
        List<String> types;
        try {
            types = client.getChildren().forPath(paths.limits());
        } catch (KeeperException.NoNodeException e) {
            return Map.of();
        }
        Map<String, TypeLimit> out = new TreeMap<>();
        List<AsyncReads.Result> reads = AsyncReads.getData(client, types.stream().map(paths::limit).toList(),
                timeoutMs);
        for (int i = 0; i < types.size(); i++) {
            AsyncReads.Result read = reads.get(i);
            if (read.code() == KeeperException.Code.NONODE) {
                continue;
            }
            if (!read.ok()) {
                throw KeeperException.create(read.code(), read.path());
            }
            try {
                TypeLimit limit = Json.read(read.path(), read.data(), TypeLimit.class);
                if (!limit.type().equals(types.get(i))) {
                    throw new CorruptDataException(read.path(), "holds the limits of type '" + limit.type() + "'");
                }
                out.put(limit.type(), limit);
            } catch (CorruptDataException e) {
                LOG.warn("ignoring limits node: {}", e.getMessage());
            }
        }
        return out;
    }
}
