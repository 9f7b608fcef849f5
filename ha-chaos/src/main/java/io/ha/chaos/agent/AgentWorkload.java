package io.ha.chaos.agent;

import io.ha.core.LockLostException;
import io.ha.core.LockTimeoutException;
import io.ha.core.cluster.HaCluster;
import io.ha.core.leader.LeaderContext;
import io.ha.core.task.TaskContext;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a chaos agent runs on its agent's own cluster member, besides what the agent itself does: the handlers of the
 * run's task types, a leader-only service and an exclusive-work loop, each writing what it did to the
 * {@link EventLog}, and the last two writing through a {@link Fence} (leader epoch, lock token).
 *
 * <p>Guarantee: a step of leader-only or exclusive work is logged once its closing fenced write was tried, with the
 * fence's verdict (a step refused at its opening write is logged as refused, with no length), so the log holds each
 * holder's belief and the store's view side by side. Not guaranteed: a line for work a kill -9 cut short.
 */
public final class AgentWorkload {
    /** The task type of the run's stream of tasks. */
    public static final String TASK_TYPE = "chaos";
    /** The task type the run's schedule enqueues. */
    public static final String TICK_TYPE = "chaos-tick";
    /** The name of the lock of the exclusive-work loop. */
    public static final String LOCK = "chaos-exclusive";
    /** The name of the leader-only service. */
    public static final String LEADER_SERVICE = "chaos-leader";
    /** Task slots of a chaos agent: the stream's handler and the tick's. */
    public static final int TASK_SLOTS = 2;
    public static final int TICK_SLOTS = 1;
    private static final Logger LOG = LoggerFactory.getLogger(AgentWorkload.class);
    private static final long STEP_MS = 150;

    private final String agentId;
    private final EventLog log;
    private final Fence leaderFence;
    private final Fence lockFence;
    private volatile boolean running = true;
    private Thread exclusiveLoop;

    public AgentWorkload(String agentId, EventLog log, Path runDir) {
        this.agentId = agentId;
        this.log = log;
        this.leaderFence = new Fence(runDir.resolve("fence-leader"));
        this.lockFence = new Fence(runDir.resolve("fence-" + LOCK));
    }

    /** Registers the handlers and the leader service on {@code cluster} and starts the exclusive loop. */
    public void start(HaCluster cluster) throws Exception {
        cluster.worker().register(TASK_TYPE, this::runTask, TASK_SLOTS);
        cluster.worker().register(TICK_TYPE, this::runTick, TICK_SLOTS);
        cluster.leaderElection().addService(LEADER_SERVICE, this::lead);
        exclusiveLoop = new Thread(() -> exclusiveLoop(cluster), "chaos-exclusive");
        exclusiveLoop.setDaemon(true);
        exclusiveLoop.start();
    }

    /** Ends the exclusive loop (before the agent drains, so the lock is free for the others at once). */
    public void stop() {
        running = false;
        Thread t = exclusiveLoop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private byte[] runTask(TaskContext ctx) throws InterruptedException {
        log.ran(ctx.taskId(), ctx.attempt(), agentId, System.currentTimeMillis());
        Thread.sleep(200 + ThreadLocalRandom.current().nextInt(1300));
        log.ended(ctx.taskId(), ctx.attempt(), agentId, System.currentTimeMillis());
        return (agentId + "#" + ctx.attempt()).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] runTick(TaskContext ctx) {
        log.ran(ctx.taskId(), ctx.attempt(), agentId, System.currentTimeMillis());
        return null;
    }

    /** One step at a time while this term lasts; an interrupt (leadership lost) ends the term's work. */
    private void lead(LeaderContext ctx) throws IOException {
        try {
            while (ctx.isLeader() && !Thread.currentThread().isInterrupted()) {
                if (!step(leaderFence, ctx.epoch(), (start, end, ok) -> log.led(agentId, ctx.epoch(), start, end,
                        ok))) {
                    // The store saw a higher epoch: this term is over whatever the latch says.
                    return;
                }
            }
        } catch (InterruptedException | ClosedByInterruptException e) {
            // Leadership can no longer be guaranteed: the step in progress is abandoned, its last write not tried.
            Thread.currentThread().interrupt();
        }
    }

    private interface StepLog {
        void write(long start, long end, boolean accepted);
    }

    /**
     * One step of fenced work: a write that opens it, the work, a write that closes it; it took effect only when the
     * store accepted both. Its interval runs from after the first write to before the second, so two steps that took
     * effect never share an instant (the store orders their writes). Returns false when the store refused a write.
     */
    private static boolean step(Fence fence, long token, StepLog log) throws IOException, InterruptedException {
        if (!fence.admit(token)) {
            long now = System.currentTimeMillis();
            log.write(now, now, false);
            return false;
        }
        long start = System.currentTimeMillis();
        Thread.sleep(STEP_MS);
        long end = System.currentTimeMillis();
        boolean accepted = fence.admit(token);
        log.write(start, end, accepted);
        return accepted;
    }

    private void exclusiveLoop(HaCluster cluster) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running) {
            try {
                int steps = 2 + random.nextInt(6);
                cluster.exclusiveWork().runExclusively(LOCK, Duration.ofSeconds(2), token -> {
                    for (int i = 0; i < steps; i++) {
                        if (!step(lockFence, token.value(), (start, end, ok) -> log.heldExclusively(LOCK, agentId,
                                token.value(), start, end, ok))) {
                            break;
                        }
                    }
                    return null;
                });
                Thread.sleep(50 + random.nextInt(200));
            } catch (LockTimeoutException | LockLostException e) {
                // Another holder, or the connection could not be trusted: try again, as a real loop would.
                LOG.debug("exclusive work: {}", e.toString());
            } catch (InterruptedException | ClosedByInterruptException e) {
                if (!running) {
                    return;
                }
                // Interrupted because the lock was lost while the work ran: the loop goes on.
                Thread.interrupted();
            } catch (Exception e) {
                // ZooKeeper unreachable (quorum lost, partition): the loop retries after a pause, as a service would.
                LOG.info("exclusive work failed: {}", e.toString());
                pause();
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
