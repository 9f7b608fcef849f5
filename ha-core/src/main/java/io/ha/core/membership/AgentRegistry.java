package io.ha.core.membership;

import com.google.common.base.Preconditions;
import io.ha.core.DuplicateAgentException;
import io.ha.core.HaException;
import io.ha.core.internal.Json;
import io.ha.core.session.ClusterContext;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.session.EventKind;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.Stat;

/**
 * This process's liveness record: the ephemeral node {@code /agents/<id>} holding its {@link AgentInfo}.
 *
 * <p>Guarantee: while this registry is started and the process holds a ZooKeeper session, the node exists; when the
 * session expires the servers delete it, and once a new session is established the node is created again by itself
 * (Curator {@link PersistentNode} in ephemeral mode). Not guaranteed: that the node disappears at the instant the
 * process dies; that takes up to the session timeout.
 *
 * <p>In a cluster with roles the agent id is bound to the identity that first registered it: the registry creates
 * {@code /bindings/<id>} (which only that identity may add children to) and, before its registration, the ephemeral
 * {@code /bindings/<id>/session} of the same session; {@link Membership} counts a registration only when both are
 * held by one session. Not guaranteed: that an id is bound to the right identity before its agent first starts
 * (the first identity to register an id keeps it until an agent identity deletes the binding).
 */
public final class AgentRegistry implements Closeable {
    private enum State { LATENT, STARTED, CLOSED }

    private final ClusterContext ctx;
    private final String path;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final String bindingIdentity;
    private volatile AgentInfo info;
    private RegistrationNode node;
    private RegistrationNode bindingNode;

    /**
     * Deletes its node on close only while connected: without a connection the delete would block in retries, and
     * the node goes with the session anyway (at once when the client closes it, else at session expiry).
     */
    private static final class RegistrationNode extends PersistentNode {
        private final ClusterContext ctx;

        RegistrationNode(ClusterContext ctx, String path, byte[] data) {
            super(ctx.client(), CreateMode.EPHEMERAL, false, path, data);
            this.ctx = ctx;
        }

        @Override
        protected void deleteNode() throws Exception {
            if (ctx.guard().state() == ConnectionGuard.State.CONNECTED) {
                super.deleteNode();
            }
        }
    }

    public AgentRegistry(ClusterContext ctx, AgentInfo info) {
        this(ctx, info, null);
    }

    /**
     * @param bindingIdentity in a cluster with roles, this process's digest id ({@code user:hash}): the id is bound
     *                        to it; null without roles
     */
    public AgentRegistry(ClusterContext ctx, AgentInfo info, String bindingIdentity) {
        Preconditions.checkArgument(info.id().equals(ctx.agentId()), "agent info id %s differs from agent id %s",
                info.id(), ctx.agentId());
        this.ctx = ctx;
        this.info = info;
        this.path = ctx.paths().agent(info.id());
        this.bindingIdentity = bindingIdentity;
    }

    /**
     * Creates the node and waits for it. When a node of the same id is held by another live session (a second agent
     * started with the same id, or this agent restarted before its old session expired), waits up to the session
     * timeout for it to go away.
     *
     * @throws DuplicateAgentException when another live session keeps holding the id
     */
    public void start() throws Exception {
        Preconditions.checkState(state.compareAndSet(State.LATENT, State.STARTED), "Cannot be started more than once");
        if (bindingIdentity != null) {
            bind();
        }
        awaitFree(path);
        node = new RegistrationNode(ctx, path, Json.write(info));
        node.getListenable().addListener(createdPath -> ctx.timeline().record(EventKind.REGISTERED,
                "agent " + info.id() + " at " + createdPath));
        node.start();
        if (!node.waitForInitialCreate(ctx.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            throw new HaException("agent " + info.id() + " could not create its node " + path + " within "
                    + ctx.connectionTimeout().toMillis() + " ms");
        }
    }

    /**
     * Makes sure the id's binding is this identity's (creating it for an unbound id) and holds this session.
     *
     * @throws DuplicateAgentException when the id is bound to another identity
     */
    private void bind() throws Exception {
        String binding = ctx.paths().binding(info.id());
        try {
            ctx.client().create().creatingParentsIfNeeded().forPath(binding);
        } catch (KeeperException.NodeExistsException e) {
            // Bound before: by this identity (an earlier run) or another.
        }
        boolean ours = ctx.client().getACL().forPath(binding).stream().anyMatch(a -> (a.getPerms() & Perms.CREATE) != 0
                && a.getId().getScheme().equals("digest") && a.getId().getId().equals(bindingIdentity));
        if (!ours) {
            throw new DuplicateAgentException("agent id '" + info.id() + "' is bound to another ZooKeeper identity ("
                    + binding + " was created by it, and only it may register that id); choose another id, or "
                    + "delete that binding with an agent identity if the id should change hands");
        }
        String session = ctx.paths().bindingSession(info.id());
        awaitFree(session);
        bindingNode = new RegistrationNode(ctx, session, new byte[0]);
        bindingNode.start();
        if (!bindingNode.waitForInitialCreate(ctx.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            throw new HaException("agent " + info.id() + " could not create its binding node " + session + " within "
                    + ctx.connectionTimeout().toMillis() + " ms");
        }
    }

    private void awaitFree(String path) throws Exception {
        long deadline = System.nanoTime() + ctx.sessionTimeout().toNanos() + ctx.connectionTimeout().toNanos();
        while (true) {
            Stat stat = ctx.client().checkExists().forPath(path);
            long mySession = ctx.guard().sessionId();
            if (stat == null || stat.getEphemeralOwner() == mySession) {
                return;
            }
            if (System.nanoTime() > deadline) {
                String holder;
                try {
                    AgentInfo other = Json.read(path, ctx.client().getData().forPath(path), AgentInfo.class);
                    holder = "host " + other.host() + " pid " + other.pid();
                } catch (RuntimeException e) {
                    holder = "unknown host";
                }
                throw new DuplicateAgentException("agent id '" + info.id() + "' is already registered by a live "
                        + "session (" + holder + ", session 0x" + Long.toHexString(stat.getEphemeralOwner())
                        + "); choose another id or stop that agent");
            }
            Thread.sleep(100);
        }
    }

    /** The info as currently published. */
    public AgentInfo info() {
        return info;
    }

    /** Replaces the published info (capacity, labels, endpoint); the id cannot change. */
    public void update(AgentInfo newInfo) throws Exception {
        Preconditions.checkArgument(newInfo.id().equals(info.id()), "cannot change agent id from %s to %s",
                info.id(), newInfo.id());
        Preconditions.checkState(state.get() == State.STARTED, "agent registry is not started");
        node.setData(Json.write(newInfo));
        info = newInfo;
    }

    public String path() {
        return path;
    }

    /**
     * Deletes the node (others see this agent leave at once instead of after the session timeout). Without a
     * connection it does not wait: the node then goes with the session.
     */
    @Override
    public void close() throws IOException {
        if (state.getAndSet(State.CLOSED) == State.STARTED) {
            if (node != null) {
                node.close();
                ctx.timeline().record(EventKind.DEREGISTERED, "agent " + info.id());
            }
            if (bindingNode != null) {
                bindingNode.close();
            }
        }
    }
}
