package io.ha.core.task;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Waiting for many task outcomes at once ({@link TaskQueue#future}).
 *
 * <p>Guarantee: the combined future completes once every given future has: with their results in the given order,
 * or, when any failed, exceptionally with one of the failures (for example a {@code NoSuchTaskException}). Not
 * guaranteed: that cancelling the combined future cancels the given ones (it does not; nor does it cancel tasks).
 */
public final class TaskFutures {
    private TaskFutures() {
    }

    /** One future of all the records of {@code futures}, in order. */
    public static CompletableFuture<List<TaskRecord>> allOf(List<CompletableFuture<TaskRecord>> futures) {
        List<CompletableFuture<TaskRecord>> copy = List.copyOf(futures);
        return CompletableFuture.allOf(copy.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<TaskRecord> out = new ArrayList<>(copy.size());
            copy.forEach(f -> out.add(f.join()));
            return out;
        });
    }
}
