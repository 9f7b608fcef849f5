package io.ha.core.testing;

import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A handler that blocks until {@link #release} is counted down or its thread is interrupted, recording which tasks
 * started and which were interrupted; a released task succeeds with the id of the agent that ran it.
 */
public final class BlockingHandler implements TaskHandler {
    public final CountDownLatch release = new CountDownLatch(1);
    public final List<String> started = new CopyOnWriteArrayList<>();
    public final List<String> interrupted = new CopyOnWriteArrayList<>();

    @Override
    public byte[] handle(TaskContext ctx) throws Exception {
        started.add(ctx.taskId());
        try {
            release.await();
        } catch (InterruptedException e) {
            interrupted.add(ctx.taskId());
            throw e;
        }
        return ctx.agentId().getBytes(StandardCharsets.UTF_8);
    }
}
