package io.ha.agent.metrics;

import io.ha.core.task.NonRetryableTaskException;
import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this agent's handlers are doing: wraps each handler to time it ({@code ha_task_run_seconds} by type and
 * outcome), count outcomes ({@code ha_agent_tasks_total}) and running tasks ({@code ha_agent_tasks_running}), and keeps
 * the list of tasks running now for the status page.
 *
 * <p>Outcomes are as the handler ended: {@code succeeded} (returned), {@code failed} (threw), {@code stopped}
 * (interrupted: cancelled, drained or session lost). Not the recorded outcome: a zombie's success is counted here even
 * though the framework discards it.
 */
public final class TaskActivity {
    /** A task whose handler runs on this agent now. */
    public record Running(String taskId, String type, int attempt, Instant startedAt) {
    }

    private final MeterRegistry registry;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> runningByType = new ConcurrentHashMap<>();

    public TaskActivity(MeterRegistry registry) {
        this.registry = registry;
    }

    /** {@code handler} with its runs measured and listed. */
    public TaskHandler measure(String type, TaskHandler handler) {
        AtomicInteger gauge = runningByType.computeIfAbsent(type, t -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("ha.agent.tasks.running", n, AtomicInteger::get).tag("type", t)
                    .description("Tasks whose handler runs on this agent now").register(registry);
            return n;
        });
        return ctx -> run(type, handler, gauge, ctx);
    }

    private byte[] run(String type, TaskHandler handler, AtomicInteger gauge, TaskContext ctx) throws Exception {
        long start = System.nanoTime();
        running.put(ctx.taskId(), new Running(ctx.taskId(), type, ctx.attempt(), Instant.now()));
        gauge.incrementAndGet();
        String outcome = "failed";
        try {
            byte[] result = handler.handle(ctx);
            outcome = ctx.isCancelled() ? "stopped" : "succeeded";
            return result;
        } catch (InterruptedException e) {
            outcome = "stopped";
            throw e;
        } catch (NonRetryableTaskException e) {
            outcome = "failed";
            throw e;
        } catch (Exception | Error e) {
            outcome = ctx.isCancelled() ? "stopped" : "failed";
            throw e;
        } finally {
            gauge.decrementAndGet();
            running.remove(ctx.taskId());
            Timer.builder("ha.task.run").description("How long task handlers ran on this agent")
                    .tags("type", type, "outcome", outcome).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(1))
                    .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            Counter.builder("ha.agent.tasks").description("Task runs ended on this agent, by type and outcome")
                    .tags("type", type, "outcome", outcome).register(registry).increment();
        }
    }

    /** The tasks running now, oldest first. */
    public List<Running> running() {
        return running.values().stream().sorted(Comparator.comparing(Running::startedAt)).toList();
    }
}
