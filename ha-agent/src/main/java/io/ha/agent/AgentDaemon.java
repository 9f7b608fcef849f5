package io.ha.agent;

import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.agent.config.AgentConfig;
import io.ha.agent.config.Durations;
import io.ha.agent.config.SecurityPolicy;
import io.ha.agent.exec.ExecHandler;
import io.ha.agent.exec.ExecSettings;
import io.ha.agent.exec.ExecPayload;
import io.ha.agent.http.AgentEndpoints;
import io.ha.agent.http.AgentHttpServer;
import io.ha.agent.http.StatusReport;
import io.ha.agent.metrics.AgentMetrics;
import io.ha.agent.metrics.ClusterTaskCounts;
import io.ha.agent.plugin.PluginLoader;
import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.HaClusterBuilder;
import io.ha.core.membership.AgentControl;
import io.ha.core.session.ConnectionGuard;
import java.io.Closeable;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent: one cluster member ({@link HaCluster}) running the built-in {@code exec} handler and the plug-ins'
 * handlers, with its HTTP endpoint. Life cycle: {@link #start()} once, then {@link #stop()} (also from a shutdown
 * hook); {@link #drain(String)} in between on a remote or HTTP request.
 *
 * <p>Guarantees: {@link #start()} returns with the agent connected, registered and taking tasks, or throws having
 * released everything. {@link #stop()} stops taking tasks and leaves the leader election at once (another member
 * takes over leading without waiting for the drain), lets running ones finish up to the drain timeout, hands the
 * rest back to pending at once, and only then deregisters, so a stopped agent's tasks never wait for a session
 * expiry. A drain on request does the same but leaves the agent up and registered (not accepting). Not guaranteed:
 * anything after SIGKILL; its tasks then move to another agent once its session expires.
 */
public final class AgentDaemon implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentDaemon.class);
    /** Beyond the drain timeout: time to hand the remaining tasks back (one transaction each). */
    private static final Duration HAND_BACK_MARGIN = Duration.ofSeconds(30);

    private enum State { LATENT, STARTING, RUNNING, STOPPING, STOPPED }

    private final AgentConfig config;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ClusterTaskCounts counts = new ClusterTaskCounts();
    private final AgentMetrics metrics = new AgentMetrics(counts);
    private final StatusReport report = new StatusReport(counts, metrics.activity());
    private final CountDownLatch startAttempted = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ExecutorService drainer = Executors.newSingleThreadExecutor(
            new ThreadFactoryBuilder().setNameFormat("ha-agent-drain").setDaemon(true).build());
    private PluginLoader plugins;
    private ExecHandler execHandler;
    private AgentHttpServer http;
    private volatile HaCluster cluster;
    private CompletableFuture<Void> drain;
    private volatile String drainState = "none";

    public AgentDaemon(AgentConfig config) {
        this.config = config;
    }

    /**
     * Loads plug-ins, serves HTTP, joins the cluster and starts taking tasks.
     *
     * @throws io.ha.agent.config.ConfigException naming exec.secret.key.file or exec.user when the exec handler
     *                                            cannot be set up (before anything else starts)
     * @throws io.ha.agent.plugin.PluginLoader.PluginException for an unusable plug-in (before anything else starts)
     * @throws java.io.IOException when the HTTP address cannot be bound
     * @throws Exception from {@link HaCluster#start()}: ZooKeeper unreachable, duplicate agent id, wrong credentials
     */
    public void start() throws Exception {
        Preconditions.checkState(state.compareAndSet(State.LATENT, State.STARTING), "Cannot be started more than once");
        try {
            LOG.info("starting agent with {}", config);
            // AgentMain refuses an unsafe configuration with exit code 2 before this; checked again for other callers.
            SecurityPolicy.check(config).forEach(LOG::warn);
            // Before anything starts: a bad secret key file or exec.user is a configuration error (exit 2).
            execHandler = config.execEnabled() ? ExecSettings.handler(config) : null;
            plugins = PluginLoader.load(config.pluginsDir(),
                    config.execEnabled() ? Set.of(ExecPayload.TYPE) : Set.of());
            http = AgentHttpServer.start(config.httpHost(), config.httpPort(), config.httpToken(), new Endpoints(),
                    config.consoleToken(), config.consoleHosts());
            if (config.embeddedZooKeeper()) {
                LOG.warn("zk.connect is empty: starting an EMBEDDED single ZooKeeper server inside this agent. It dies "
                        + "with this process and cannot be shared with agents on other hosts: for trying HA on one "
                        + "machine only, NOT for production (set zk.connect to a 3- or 5-server ensemble)");
            }
            HaClusterBuilder b = HaCluster.builder()
                    .connectString(config.zkConnect())
                    .clusterName(config.clusterName())
                    .agentId(config.agentId())
                    .sessionTimeout(config.sessionTimeout())
                    .connectionTimeout(config.connectionTimeout())
                    .capacity(config.capacity())
                    .labels(config.labels())
                    .httpEndpoint(http.endpoint())
                    .credentials(config.zkCredentials())
                    .tls(config.zkTls())
                    .roles(config.zkRoles())
                    .maxAgentCapacity(config.maxAgentCapacity());
            cluster = b.build().start();
            awaitOwnRegistration();
            metrics.bind(cluster);
            registerHandlers();
            cluster.agentControl().onCommand(this::onCommand);
            state.set(State.RUNNING);
        } catch (Exception | Error e) {
            closeResources();
            state.set(State.STOPPED);
            stopped.countDown();
            throw e;
        } finally {
            startAttempted.countDown();
        }
    }

    /** So that "READY" implies /ready answers 200: the membership view learns of our own node asynchronously. */
    private void awaitOwnRegistration() throws InterruptedException {
        long deadline = System.nanoTime() + config.connectionTimeout().toNanos();
        while (!cluster.membership().isAlive(config.agentId()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private void registerHandlers() throws Exception {
        int slots = 0;
        if (config.execEnabled()) {
            cluster.worker().register(ExecPayload.TYPE, metrics.activity().measure(ExecPayload.TYPE,
                    execHandler), config.execConcurrency());
            slots += config.execConcurrency();
            LOG.info("task type '{}' (built-in): up to {} at once", ExecPayload.TYPE, config.execConcurrency());
        }
        for (PluginLoader.Plugin p : plugins.plugins()) {
            cluster.worker().register(p.type(), metrics.activity().measure(p.type(), p.handler()), p.concurrency());
            slots += p.concurrency();
            LOG.info("task type '{}' from plug-in {}: up to {} at once", p.type(), p.source(), p.concurrency());
        }
        if (slots == 0) {
            LOG.warn("no task handlers (exec.enabled=false and no plug-ins in {}): this agent runs no tasks; it still "
                    + "takes part in leader election and dispatches tasks while it leads", config.pluginsDir());
        } else if (slots != config.capacity()) {
            LOG.info("agent publishes {} task slots (the sum of its handlers' concurrencies; capacity is {})", slots,
                    config.capacity());
        }
    }

    private void onCommand(AgentControl.Command command) {
        if ("drain".equals(command.name())) {
            drain("command from " + command.by());
        } else {
            LOG.warn("ignoring unknown command '{}' from {}", command.name(), command.by());
        }
    }

    /**
     * Starts draining in the background (the caller, a ZooKeeper event or HTTP thread, must not block for the drain
     * timeout). The agent stays registered but takes no new tasks.
     *
     * @return false when a drain was already under way or done, or the agent is not running
     */
    public synchronized boolean drain(String requestedBy) {
        return state.get() == State.RUNNING && startDrain(requestedBy);
    }

    private synchronized boolean startDrain(String requestedBy) {
        if (drain != null) {
            return false;
        }
        LOG.info("draining ({}): no new tasks; running ones get up to {} to finish, then go back to pending",
                requestedBy, Durations.format(config.drainTimeout()));
        drainState = "draining";
        HaCluster c = cluster;
        drain = CompletableFuture.runAsync(() -> {
            try {
                c.worker().drain(config.drainTimeout());
                drainState = "drained";
            } catch (Exception e) {
                drainState = "failed: " + e;
                throw new CompletionException(e);
            }
        }, drainer);
        return true;
    }

    /**
     * Drains (see {@link #drain}), deregisters and releases everything. Idempotent; safe from a shutdown hook while
     * {@link #start()} still runs (it waits for the start to finish first).
     */
    public void stop() {
        try {
            startAttempted.await(config.connectionTimeout().plus(config.sessionTimeout()).plusSeconds(10).toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!state.compareAndSet(State.RUNNING, State.STOPPING)) {
            return;
        }
        LOG.info("stopping agent {}", config.agentId());
        CompletableFuture<Void> pending;
        synchronized (this) {
            startDrain("shutdown");
            pending = drain;
        }
        // Leadership first, not after the drain: the leader's services (dispatching above all) move to another member
        // now instead of waiting up to the drain timeout for this agent's running tasks. The drain needs no leader:
        // running tasks record their outcomes, and the rest go back to pending, through this agent's own session.
        leaveElection();
        try {
            pending.get(config.drainTimeout().plus(HAND_BACK_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("drain did not end in time; leaving: the leader reassigns what is left");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("drain failed ({}); leaving: the leader reassigns what is left", e.getCause() == null
                    ? e.toString() : e.getCause().toString());
        }
        closeResources();
        state.set(State.STOPPED);
        stopped.countDown();
        LOG.info("agent {} stopped", config.agentId());
    }

    private void leaveElection() {
        try {
            cluster.leaderElection().close();
        } catch (RuntimeException e) {
            // Closing the cluster below leaves the election all the same, only later.
            LOG.warn("leaving the leader election failed ({}); leaving it with the cluster", e.toString());
        }
    }

    private void closeResources() {
        if (cluster != null) {
            cluster.close();
        }
        if (http != null) {
            http.close();
        }
        report.close();
        if (plugins != null) {
            plugins.close();
        }
        drainer.shutdownNow();
    }

    @Override
    public void close() {
        stop();
    }

    /** Waits until {@link #stop()} (or a failed start) released everything. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** The HTTP endpoint, {@code host:port}. */
    public String httpEndpoint() {
        return http.endpoint();
    }

    /** The ZooKeeper connect string in use (the embedded server's when none was configured). */
    public String connectString() {
        return cluster.connectString();
    }

    public String agentId() {
        return config.agentId();
    }

    /**
     * The running agent's cluster member, for code that runs more work on the same session (the chaos run's leader
     * service and exclusive loop). Null before {@link #start()} returned; closed after {@link #stop()}.
     */
    public HaCluster cluster() {
        return cluster;
    }

    private final class Endpoints implements AgentEndpoints {
        @Override
        public boolean ready() {
            HaCluster c = cluster;
            try {
                return c != null && state.get() == State.RUNNING
                        && c.connectionGuard().state() == ConnectionGuard.State.CONNECTED
                        && c.membership().isAlive(config.agentId());
            } catch (IllegalStateException e) {
                return false;
            }
        }

        @Override
        public Map<String, Object> status() {
            HaCluster c = cluster;
            State s = state.get();
            if (c == null || (s != State.RUNNING && s != State.STOPPING)) {
                return null;
            }
            try {
                return report.build(c, new StatusReport.Self(http.endpoint(), config.embeddedZooKeeper(),
                        !"none".equals(drainState), drainState));
            } catch (IllegalStateException e) {
                return null;
            }
        }

        @Override
        public HaCluster cluster() {
            State s = state.get();
            return s == State.RUNNING || s == State.STOPPING ? cluster : null;
        }

        @Override
        public String metrics() {
            return metrics.scrape();
        }

        @Override
        public boolean drain(String requestedBy) {
            return AgentDaemon.this.drain(requestedBy);
        }
    }
}
