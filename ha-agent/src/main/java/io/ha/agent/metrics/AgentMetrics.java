package io.ha.agent.metrics;

import io.ha.core.cluster.HaCluster;
import io.ha.core.session.ConnectionGuard;
import io.ha.core.task.TaskMetrics;
import io.ha.core.task.TaskState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's Prometheus metrics (Micrometer). Per agent: session state, leadership, members seen, task runs
 * ({@link TaskActivity}), the time from submit (or from becoming due) until this agent started a task
 * ({@code ha_task_dispatch_latency_seconds}), JVM and process. Counted by the leader's dispatcher, so exported only by
 * the agent that leads at the time: reassignments and the cluster's tasks per state ({@code ha_cluster_tasks}).
 * Summing any of these over all agents therefore counts each task once.
 */
public final class AgentMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(AgentMetrics.class);
    /** Prometheus text exposition format as served by {@link #scrape()}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final TaskActivity activity = new TaskActivity(registry);
    private final ClusterTaskCounts counts;
    private final MultiGauge clusterTasks;
    private volatile HaCluster cluster;

    public AgentMetrics(ClusterTaskCounts counts) {
        this.counts = counts;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        clusterTasks = MultiGauge.builder("ha.cluster.tasks")
                .description("Tasks of the whole cluster per state (exported by the leader only)").register(registry);
        for (ConnectionGuard.State s : ConnectionGuard.State.values()) {
            Gauge.builder("ha.session.state", () -> sessionState() == s ? 1 : 0).tag("state", s.name())
                    .description("1 for the current state of this agent's ZooKeeper connection").register(registry);
        }
        Gauge.builder("ha.leader", () -> ifStarted(c -> c.leaderElection().isLeader() ? 1 : 0))
                .description("1 while this agent is the leader").register(registry);
        Gauge.builder("ha.leader.epoch", () -> ifStarted(c -> c.leaderElection().termEpoch().orElse(0)))
                .description("Epoch of this agent's leadership term, 0 when not leading").register(registry);
        Gauge.builder("ha.members", () -> ifStarted(c -> c.membership().size()))
                .description("Live agents this agent sees").register(registry);
        Gauge.builder("ha.agent.accepting", () -> ifStarted(c -> c.worker().isAccepting() ? 1 : 0))
                .description("1 while this agent takes new tasks (0 before handlers start and while draining)")
                .register(registry);
    }

    /** Starts reporting on {@code started}, a started cluster member. */
    public void bind(HaCluster started) {
        this.cluster = started;
        TaskMetrics tm = started.taskMetrics();
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
        tm.addLatencyListener((type, millis) -> Timer.builder("ha.task.dispatch.latency")
                .description("Time from submit (or from becoming due) until an agent started the task, measured by that agent")
                .tag("type", type).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry).record(millis, TimeUnit.MILLISECONDS));
    }

    public TaskActivity activity() {
        return activity;
    }

    /** The metrics in Prometheus text format; reads the cluster's task counts first when this agent leads. */
    public String scrape() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        HaCluster c = cluster;
        if (c != null && ifStarted(h -> h.leaderElection().isLeader() ? 1 : 0) > 0) {
            try {
                for (Map.Entry<TaskState, Long> e : counts.get(c.taskQueue()).entrySet()) {
                    rows.add(MultiGauge.Row.of(Tags.of("state", e.getKey().name()), e.getValue()));
                }
            } catch (Exception e) {
                // Served without the counts rather than failing the whole scrape.
                LOG.debug("task counts unavailable for metrics: {}", e.toString());
            }
        }
        clusterTasks.register(rows, true);
        return registry.scrape();
    }

    private ConnectionGuard.State sessionState() {
        HaCluster c = cluster;
        try {
            return c == null ? ConnectionGuard.State.CONNECTING : c.connectionGuard().state();
        } catch (IllegalStateException e) {
            return ConnectionGuard.State.CLOSED;
        }
    }

    private double ifStarted(java.util.function.ToDoubleFunction<HaCluster> f) {
        HaCluster c = cluster;
        try {
            return c == null ? 0 : f.applyAsDouble(c);
        } catch (IllegalStateException e) {
            // Closed while scraped (the agent is stopping).
            return 0;
        }
    }
}
