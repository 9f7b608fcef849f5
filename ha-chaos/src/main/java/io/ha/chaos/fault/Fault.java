package io.ha.chaos.fault;

import java.util.List;

/**
 * One fault as it happened.
 *
 * @param kind      what was done
 * @param target    the agent id or {@code zk-<server id>} (several comma-separated for a quorum loss)
 * @param atMs      when it began, epoch milliseconds
 * @param endMs     when it was over (healed, restarted and serving again), epoch milliseconds
 * @param heldTasks for a fault that ends an agent's session: the tasks it held just before (their reassignment is
 *                  measured from {@code atMs}); empty otherwise
 * @param detail    what else happened (exit code of a drain, a restart that was needed), or empty
 */
public record Fault(FaultKind kind, String target, long atMs, long endMs, List<String> heldTasks, String detail) {
    public Fault {
        heldTasks = List.copyOf(heldTasks);
        detail = detail == null ? "" : detail;
    }
}
