package io.ha.spring;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * The HA meters of ha-agent's Prometheus endpoint, bound to the application's own {@link MeterRegistry} (no second
 * registry): {@code ha.session.state}, {@code ha.leader}, {@code ha.leader.epoch}, {@code ha.members},
 * {@code ha.agent.accepting}, and the task counters of this process. The cluster-wide task counts that the agent's
 * leader exports are left out (they cost ZooKeeper reads at every scrape). A meter read while the cluster is not
 * joined reads 0.
 */
public class HaMetrics implements MeterBinder {
    private final HaClusterLifecycle lifecycle;

    public HaMetrics(HaClusterLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (ConnectionGuard.State s : ConnectionGuard.State.values()) {
            Gauge.builder("ha.session.state", this, m -> m.ifJoined(c -> c.connectionGuard().state() == s ? 1 : 0))
                    .tag("state", s.name()).description("1 for the current state of the ZooKeeper connection")
                    .register(registry);
        }
        Gauge.builder("ha.leader", this, m -> m.ifJoined(c -> c.leaderElection().isLeader() ? 1 : 0))
                .description("1 while this instance is the leader").register(registry);
        Gauge.builder("ha.leader.epoch", this, m -> m.ifJoined(c -> c.leaderElection().termEpoch().orElse(0)))
                .description("Epoch of this instance's leadership term, 0 when not leading").register(registry);
        Gauge.builder("ha.members", this, m -> m.ifJoined(c -> c.membership().size()))
                .description("Live agents this instance sees").register(registry);
        Gauge.builder("ha.agent.accepting", this, m -> m.ifJoined(c -> c.role() == ClusterRole.MEMBER
                && c.worker().isAccepting() ? 1 : 0))
                .description("1 while this instance takes new tasks").register(registry);
        TaskMetrics tm = lifecycle.cluster().taskMetrics();
        FunctionCounter.builder("ha.task.reassignments", tm, TaskMetrics::reassigned)
                .description("Tasks moved back to pending because their agent left (counted by the leader)")
                .register(registry);
        FunctionCounter.builder("ha.tasks.assigned", tm, TaskMetrics::assigned)
                .description("Tasks assigned (counted by the leader)").register(registry);
        FunctionCounter.builder("ha.tasks.submitted", tm, TaskMetrics::submitted)
                .description("Tasks submitted through this process").register(registry);
        for (TaskState s : TaskState.values()) {
            if (s.isTerminal()) {
                FunctionCounter.builder("ha.tasks.ended", tm, m -> m.ended(s)).tag("state", s.name())
                        .description("Outcomes recorded by this process").register(registry);
            }
        }
    }

    private double ifJoined(ToDoubleFunction<HaCluster> f) {
        if (!lifecycle.isRunning()) {
            return 0;
        }
        try {
            return f.applyAsDouble(lifecycle.cluster());
        } catch (IllegalStateException e) {
            return 0; // Closed while read: the context is stopping.
        }
    }
}
