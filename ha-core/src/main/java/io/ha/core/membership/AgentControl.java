package io.ha.core.membership;

import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import io.ha.core.HaException;
import io.ha.core.Names;
import io.ha.core.internal.Json;
import io.ha.core.session.ClusterContext;
import java.io.Closeable;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands to one agent through ZooKeeper ({@code /control/<agentId>}), so tools need nothing but a ZooKeeper
 * connection to steer an agent (for example {@code ha-ctl drain AGENT}).
 *
 * <p>Guarantee: a command written for a live agent is seen by it (also after a reconnect) and removed by it once
 * handled, so {@link #awaitHandled} tells the sender it was carried out. Not guaranteed: that an agent that dies
 * meanwhile handles it; the command node is removed with the next one, or by the agent when it starts again.
 */
public final class AgentControl implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentControl.class);

    /**
     * One command.
     *
     * @param name        what to do, such as {@code drain}
     * @param requestedAt when it was written, epoch milliseconds
     * @param by          who wrote it (agent id or tool name)
     */
    public record Command(String name, long requestedAt, String by) {
    }

    private final ClusterContext ctx;
    private CuratorCache cache;

    public AgentControl(ClusterContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Writes {@code command} for a live agent.
     *
     * @throws HaException naming the agent when it is not alive
     */
    public void request(String agentId, String command) throws Exception {
        Names.validate("agent id", agentId);
        Names.validate("command", command);
        if (ctx.client().checkExists().forPath(ctx.paths().agent(agentId)) == null) {
            throw new HaException("agent '" + agentId + "' is not alive in cluster " + ctx.paths().clusterRoot());
        }
        byte[] data = Json.write(new Command(command, System.currentTimeMillis(), ctx.agentId()));
        String path = ctx.paths().control(agentId);
        try {
            ctx.client().create().creatingParentsIfNeeded().forPath(path, data);
        } catch (KeeperException.NodeExistsException e) {
            ctx.client().setData().forPath(path, data);
        }
    }

    /** Waits until the agent removed its command node (handled it); false on timeout. */
    public boolean awaitHandled(String agentId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String path = ctx.paths().control(agentId);
        while (ctx.client().checkExists().forPath(path) != null) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /**
     * Calls {@code handler} for every command written for this process's agent id, on a single event thread, then
     * removes the command node. Call once.
     */
    public synchronized void onCommand(Consumer<Command> handler) throws Exception {
        Preconditions.checkState(cache == null, "a command handler is already registered");
        String path = ctx.paths().control(ctx.agentId());
        cache = CuratorCache.build(ctx.client(), path, CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(data -> handle(data, handler))
                .forChanges((before, after) -> handle(after, handler))
                .build());
        cache.start();
    }

    private void handle(ChildData data, Consumer<Command> handler) {
        Command command;
        try {
            command = Json.read(data.getPath(), data.getData(), Command.class);
        } catch (CorruptDataException e) {
            LOG.warn("ignoring unreadable command: {}", e.getMessage());
            delete(data);
            return;
        }
        LOG.info("agent {} received command '{}' from {}", ctx.agentId(), command.name(), command.by());
        try {
            handler.accept(command);
        } finally {
            delete(data);
        }
    }

    private void delete(ChildData data) {
        try {
            ctx.client().delete().withVersion(data.getStat().getVersion()).forPath(data.getPath());
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            // Gone already, or replaced by a newer command that the cache delivers next.
        } catch (Exception e) {
            LOG.warn("could not remove handled command {}: {}", data.getPath(), e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (cache != null) {
            cache.close();
        }
    }
}
