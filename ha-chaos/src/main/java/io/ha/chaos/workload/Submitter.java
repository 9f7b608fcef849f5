package io.ha.chaos.workload;

import io.ha.chaos.agent.AgentWorkload;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's stream of tasks: one submit every {@code interval} through ha-core's {@link TaskQueue}, on a thread of
 * its own, until stopped. A task counts as acknowledged when {@code submit} returned its id; a submit that threw
 * (no quorum, no connection) is counted as refused and not retried, so the run never counts a task it was not told
 * was stored.
 *
 * <p>Guarantee: {@link #acknowledged()} lists exactly the ids submit returned. Not guaranteed: a steady rate (a submit
 * blocks while ZooKeeper cannot write).
 */
public final class Submitter {
    private static final Logger LOG = LoggerFactory.getLogger(Submitter.class);
    /** Attempts per task: enough that a task survives a run's worth of reassignments; the rest ends DEAD. */
    public static final int MAX_ATTEMPTS = 20;

    private final TaskQueue queue;
    private final Duration interval;
    private final List<String> acknowledged = new ArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    public Submitter(TaskQueue queue, Duration interval) {
        this.queue = queue;
        this.interval = interval;
        this.thread = new Thread(this::loop, "chaos-submitter");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Stops submitting and waits for the submit in progress to return (not interrupted: a submit cut short may have
     * stored its task without saying so, which would leave a task the run never acknowledged).
     */
    public void stop() throws InterruptedException {
        running = false;
        thread.join(120_000);
        thread.interrupt();
    }

    private void loop() {
        int n = 0;
        while (running) {
            TaskSpec spec = TaskSpec.builder(AgentWorkload.TASK_TYPE).payload("task " + (++n))
                    .maxAttempts(MAX_ATTEMPTS).retryBackoff(Duration.ofMillis(200)).build();
            try {
                String id = queue.submit(spec);
                synchronized (acknowledged) {
                    acknowledged.add(id);
                }
            } catch (InterruptedException e) {
                // A submit cut short by stop(): not acknowledged, whatever ZooKeeper did with it.
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // Refused or not confirmed: not acknowledged, never counted as lost. The stream goes on.
                refused.incrementAndGet();
                LOG.debug("submit refused: {}", e.toString());
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The ids of the tasks whose submit returned, in order. */
    public List<String> acknowledged() {
        synchronized (acknowledged) {
            return List.copyOf(acknowledged);
        }
    }

    /** How many submits threw. */
    public int refused() {
        return refused.get();
    }
}
