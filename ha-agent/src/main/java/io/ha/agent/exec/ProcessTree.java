package io.ha.agent.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Ends a process and every process it started: SIGTERM to the whole tree and the command's process group, then
 * SIGKILL to whatever is still alive after a grace period.
 *
 * <p>The descendants are listed before any signal is sent: once a parent dies its children are re-parented (to init
 * or a subreaper) and can no longer be found from the root; the process group finds those that stayed in it (a
 * background or double-forked child). Not guaranteed: ending a process that left both the tree and the group (its
 * own {@code setsid}); a cgroup (systemd) is the tool for that.
 */
final class ProcessTree {
    private static final long POLL_MS = 20;

    private ProcessTree() {
    }

    /**
     * Kills {@code root}, its descendants and, when {@code pgid} is positive, every process of that process group
     * (see {@link ProcessGroup}); waits at most {@code grace} after SIGTERM and a moment after SIGKILL. Never throws
     * {@link InterruptedException}: an interrupt during the wait is kept for the caller and the kill proceeds, so a
     * cancelled task never leaves its processes behind.
     *
     * @return how many processes were signalled
     */
    static int kill(ProcessHandle root, long pgid, Duration grace) {
        boolean interrupted = Thread.interrupted();
        Set<ProcessHandle> tree = snapshot(root, pgid);
        if (pgid > 0 && !ProcessGroup.members(pgid).isEmpty()) {
            ProcessGroup.signal(pgid, "TERM");
        }
        tree.forEach(ProcessHandle::destroy);
        interrupted |= Thread.interrupted();
        interrupted |= awaitExit(tree, grace);
        // Children forked during the grace period are found from the processes still alive.
        Set<ProcessHandle> left = new LinkedHashSet<>();
        for (ProcessHandle p : tree) {
            if (isRunning(p)) {
                left.addAll(snapshot(p, -1));
            }
        }
        List<ProcessHandle> group = pgid > 0 ? ProcessGroup.members(pgid) : List.of();
        left.addAll(group);
        if (!group.isEmpty()) {
            ProcessGroup.signal(pgid, "KILL");
        }
        left.forEach(ProcessHandle::destroyForcibly);
        interrupted |= Thread.interrupted();
        interrupted |= awaitExit(left, Duration.ofSeconds(2));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Set<ProcessHandle> all = new LinkedHashSet<>(tree);
        all.addAll(left);
        return all.size();
    }

    /** The process and its descendants, descendants first. */
    private static Set<ProcessHandle> snapshot(ProcessHandle root, long pgid) {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        root.descendants().forEach(tree::add);
        if (pgid > 0) {
            tree.addAll(ProcessGroup.members(pgid));
        }
        tree.add(root);
        return tree;
    }

    /**
     * Alive and not a zombie. A killed grandchild is re-parented to init and stays a zombie until init reaps it, which
     * some inits do late (and a JVM running as PID 1 in a container never does); {@link ProcessHandle#isAlive()}
     * counts zombies as alive. Linux only ({@code /proc}); elsewhere the same as {@code isAlive()}.
     */
    static boolean isRunning(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux), or the process is gone already.
            return p.isAlive();
        }
    }

    /**
     * Polls instead of {@link ProcessHandle#onExit()}: for processes that are not this JVM's children the JDK learns
     * of the exit late (seconds), which would stretch every kill.
     *
     * @return true when the wait was interrupted
     */
    private static boolean awaitExit(Set<ProcessHandle> processes, Duration timeout) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (processes.stream().anyMatch(ProcessTree::isRunning) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
