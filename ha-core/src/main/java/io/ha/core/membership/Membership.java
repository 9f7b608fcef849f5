package io.ha.core.membership;

import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import io.ha.core.session.ClusterContext;
import io.ha.core.session.EventKind;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live view of the agents of one cluster, kept current by a watch on {@code /agents} (Curator
 * {@link CuratorCache}), with join / leave / update events.
 *
 * <p>Guarantee: eventually consistent with ZooKeeper; every change is delivered to listeners in the order seen, and
 * reads ({@link #list()}, {@link #get(String)}) are served from memory without a ZooKeeper round trip. Not
 * guaranteed: that the view is current at the instant of a read (it lags by one watch notification), nor that an
 * agent that died is removed before its session times out. A node whose data is not valid agent JSON is left out of
 * the view with one WARN line naming its path.
 *
 * <p>What the view holds of a registration: its declared capacity, capped at the configured maximum (so that one
 * registration cannot attract the whole queue); and, in a cluster with roles, only a registration whose session also
 * holds the agent id's binding ({@code /bindings/<id>/session}, which only the identity that first registered the id
 * can create), so that an agent id registered by another identity is not a member and gets no task.
 */
public final class Membership implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final ClusterContext ctx;
    private final String agentsPath;
    private final CuratorCache cache;
    private final boolean requireBinding;
    private final CuratorWatcher bindingWatcher = this::onBindingEvent;
    private final int maxAgentCapacity;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final Map<String, AgentInfo> view = new ConcurrentHashMap<>();
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final CountDownLatch initialized = new CountDownLatch(1);
    private final Object changed = new Object();

    /** A view without a capacity cap or binding check (tests, tools). */
    public Membership(ClusterContext ctx) {
        this(ctx, Integer.MAX_VALUE, false);
    }

    /**
     * @param maxAgentCapacity the most slots an agent is counted with, whatever it declares
     * @param requireBinding   true in a cluster with roles: a registration counts only while its session holds the
     *                         agent id's binding
     */
    public Membership(ClusterContext ctx, int maxAgentCapacity, boolean requireBinding) {
        this.ctx = ctx;
        this.agentsPath = ctx.paths().agents();
        this.maxAgentCapacity = maxAgentCapacity;
        this.cache = CuratorCache.build(ctx.client(), agentsPath);
        this.requireBinding = requireBinding;
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(this::onUpsert)
                .forChanges((before, after) -> onUpsert(after))
                .forDeletes(this::onDelete)
                .forInitialized(initialized::countDown)
                .build());
    }

    /** Starts watching and waits (up to the connection timeout) for the first full view. */
    public void start() throws InterruptedException {
        Preconditions.checkState(state.compareAndSet(State.LATENT, State.STARTED), "Cannot be started more than once");
        cache.start();
        if (!initialized.await(ctx.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("membership view of {} not loaded within {} ms; it will fill in as ZooKeeper answers",
                    agentsPath, ctx.connectionTimeout().toMillis());
        }
    }

    private boolean isAgentNode(ChildData data) {
        return ZPaths.childName(agentsPath, data.getPath()) != null;
    }

    /** A binding that appears or changes may complete (or end) a registration seen before it: look again. */
    private void onBindingEvent(WatchedEvent event) {
        List<String> below = event.getPath() == null ? List.of() : ZPaths.below(ctx.paths().bindings(),
                event.getPath());
        // A binding goes with its session, and so does the registration held by that session: its deletion says
        // "left", not "replaced".
        if (below.size() == 2 && state.get() == State.STARTED
                && event.getType() != Watcher.Event.EventType.NodeDeleted) {
            cache.get(ctx.paths().agent(below.get(0))).ifPresent(this::onUpsert);
        }
    }

    private synchronized void onUpsert(ChildData data) {
        if (!isAgentNode(data)) {
            return;
        }
        AgentInfo info;
        try {
            info = Json.read(data.getPath(), data.getData(), AgentInfo.class);
        } catch (CorruptDataException e) {
            LOG.warn("ignoring agent node: {}", e.getMessage());
            return;
        }
        if (!info.id().equals(ZPaths.nodeName(data.getPath()))) {
            LOG.warn("ignoring agent node {}: it claims id {}", data.getPath(), info.id());
            return;
        }
        Boolean bound = requireBinding ? isBound(info.id(), data) : Boolean.TRUE;
        if (bound == null && !view.containsKey(info.id())) {
            return; // the binding could not be read: not a member yet (logged)
        }
        if (Boolean.FALSE.equals(bound)) {
            AgentInfo gone = view.remove(info.id());
            if (gone != null) {
                signal();
                ctx.timeline().record(EventKind.LEFT, "agent " + gone.id() + " (its registration was replaced)");
                listeners.forEach(l -> l.left(gone));
            }
            return;
        }
        if (info.capacity() > maxAgentCapacity) {
            if (warned.add(info.id() + "/capacity")) {
                LOG.warn("agent {} declares capacity {}; counted as {} (max agent capacity)", info.id(),
                        info.capacity(), maxAgentCapacity);
            }
            info = info.withCapacity(maxAgentCapacity);
        }
        publish(info);
    }

    private void publish(AgentInfo info) {
        AgentInfo previous = view.put(info.id(), info);
        signal();
        if (previous == null) {
            ctx.timeline().record(EventKind.JOINED, "agent " + info.id() + " (" + info.host() + " pid " + info.pid()
                    + ")");
            listeners.forEach(l -> l.joined(info));
        } else {
            listeners.forEach(l -> l.updated(info));
        }
    }

    /**
     * True when the session holding the registration also holds the agent id's binding; null when the binding cannot
     * be read (the connection is lost): a member stays one, a newcomer waits.
     */
    private Boolean isBound(String agentId, ChildData registration) {
        long owner = registration.getStat() == null ? 0 : registration.getStat().getEphemeralOwner();
        long bound;
        try {
            // Read, not cached: the binding and the registration are made one after the other, and a watch brings
            // this back here when the binding changes.
            Stat binding = ctx.client().checkExists().usingWatcher(bindingWatcher)
                    .forPath(ctx.paths().bindingSession(agentId));
            bound = binding == null ? 0 : binding.getEphemeralOwner();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            LOG.warn("cannot read the binding of agent {} ({}); its membership stays as it was", agentId,
                    e.toString());
            return null;
        }
        if (owner != 0 && owner == bound) {
            warned.remove(agentId + "/binding");
            warned.remove(agentId + "/unbound");
            return true;
        }
        if (bound != 0 && warned.add(agentId + "/binding")) {
            LOG.warn("ignoring agent node {}: it is held by session 0x{}, and the id's binding by session 0x{} (an "
                    + "identity other than the one the id is bound to registered it?); it gets no tasks",
                    registration.getPath(), Long.toHexString(owner), Long.toHexString(bound));
        } else if (bound == 0 && warned.add(agentId + "/unbound")) {
            LOG.info("agent node {} has no binding (yet): not a member until its session holds {}",
                    registration.getPath(), ctx.paths().bindingSession(agentId));
        }
        return false;
    }

    private synchronized void onDelete(ChildData data) {
        if (!isAgentNode(data)) {
            return;
        }
        AgentInfo removed = view.remove(ZPaths.nodeName(data.getPath()));
        signal();
        if (removed != null) {
            ctx.timeline().record(EventKind.LEFT, "agent " + removed.id());
            listeners.forEach(l -> l.left(removed));
        }
    }

    private void signal() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    /** The live agents, sorted by id. */
    public List<AgentInfo> list() {
        List<AgentInfo> out = new ArrayList<>(view.values());
        out.sort(Comparator.comparing(AgentInfo::id));
        return out;
    }

    public Optional<AgentInfo> get(String agentId) {
        return Optional.ofNullable(view.get(agentId));
    }

    public boolean isAlive(String agentId) {
        return view.containsKey(agentId);
    }

    public int size() {
        return view.size();
    }

    /** Waits until exactly {@code n} agents are live; false on timeout. */
    public boolean awaitSize(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (view.size() != n) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                changed.wait(left);
            }
            return true;
        }
    }

    public void addListener(MembershipListener listener) {
        listeners.add(listener);
    }

    public void removeListener(MembershipListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.STARTED) {
            cache.close();
        }
    }
}
