package io.ha.spring;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The application's {@link HaCluster} as a Spring lifecycle bean. It joins the cluster the first time anything needs
 * it (the {@code HaCluster} bean, so that beans injected with a {@code TaskQueue} or a {@code LeaderElection} get a
 * working one) or when the context starts, whichever comes first; it leaves on context stop.
 *
 * <p>Guarantees: its phase, {@link #PHASE}, is below every phase Spring and Spring Boot use by default (0 for a plain
 * {@code Lifecycle}, {@code Integer.MAX_VALUE} for a {@code SmartLifecycle}, the web server's), so it starts before
 * and stops after the beans that use it; on stop the worker stops taking tasks, running tasks get
 * {@code ha.shutdown.drain-timeout} to finish, and every task this instance still holds is handed back to pending at
 * once (not after a session timeout); then the instance deregisters, gives up leadership and locks. Not guaranteed:
 * a restart after stop (a left cluster cannot be joined again: the context must be refreshed anew).
 */
public class HaClusterLifecycle implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(HaClusterLifecycle.class);
    /** Starts before and stops after every bean of a higher phase (all of Spring's defaults). */
    public static final int PHASE = Integer.MIN_VALUE + 1000;

    private enum State { LATENT, STARTED, CLOSED }

    private final HaCluster cluster;
    private final Duration drainTimeout;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);

    public HaClusterLifecycle(HaCluster cluster, Duration drainTimeout) {
        this.cluster = cluster;
        this.drainTimeout = drainTimeout;
    }

    /** The cluster, joined if it was not yet. */
    public synchronized HaCluster joined() {
        if (state.get() == State.LATENT) {
            try {
                cluster.start();
            } catch (RuntimeException e) {
                state.set(State.CLOSED);
                throw e;
            } catch (Exception e) {
                state.set(State.CLOSED);
                throw new IllegalStateException("joining HA cluster '" + cluster.clusterName() + "' failed: "
                        + e.getMessage(), e);
            }
            state.set(State.STARTED);
        }
        return cluster;
    }

    /** The cluster, whether joined or not (for health and info, which must not join it). */
    public HaCluster cluster() {
        return cluster;
    }

    @Override
    public void start() {
        joined();
    }

    @Override
    public synchronized void stop() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            return;
        }
        if (cluster.role() == ClusterRole.MEMBER && cluster.worker().isAccepting()) {
            try {
                cluster.worker().drain(drainTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Closing below still leaves the cluster; the leader reassigns what was not handed back.
                LOG.warn("draining the task worker failed: {}", e.toString());
            }
        }
        cluster.close();
    }

    @Override
    public boolean isRunning() {
        return state.get() == State.STARTED;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
