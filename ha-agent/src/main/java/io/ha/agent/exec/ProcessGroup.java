package io.ha.agent.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a command as the leader of a new session and process group (through util-linux {@code setsid}), lists the
 * group's members and signals the whole group, so that background and double-forked children, which leave the
 * process tree when their parent exits, are still found and ended.
 *
 * <p>Guarantee: every process that stays in the group (it is inherited across fork and exec) is signalled by
 * {@link #signal}, atomically by the kernel. Not guaranteed: a process that calls {@code setsid} or {@code setpgid}
 * itself (a daemon that detaches on purpose) leaves the group; a cgroup (systemd) is the tool for that. Where
 * {@code setsid} or {@code kill} is missing (not Linux), commands start as before and only the process tree is
 * killed; one WARN line says so.
 */
final class ProcessGroup {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessGroup.class);
    private static final Optional<String> SETSID = find("setsid");
    private static final Optional<String> KILL = find("kill");

    static {
        if (SETSID.isEmpty() || KILL.isEmpty()) {
            LOG.warn("no setsid or kill program in /usr/bin or /bin: exec commands run in the agent's process group, "
                    + "and only their process tree is killed (background children that outlive their parent survive)");
        }
    }

    private ProcessGroup() {
    }

    private static Optional<String> find(String program) {
        return Stream.of("/usr/bin/", "/bin/").map(d -> d + program).filter(p -> Files.isExecutable(Path.of(p)))
                .findFirst();
    }

    /** Whether commands start in a group of their own. */
    static boolean available() {
        return SETSID.isPresent() && KILL.isPresent();
    }

    /**
     * The command to start instead of {@code command}. {@code setsid} without {@code --fork} makes the new process
     * itself the session and group leader (a child of the JVM is never a group leader, so setsid need not fork): the
     * started process's pid is the group id.
     */
    static List<String> wrap(List<String> command) {
        if (!available()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(command.size() + 1);
        wrapped.add(SETSID.get());
        wrapped.addAll(command);
        return wrapped;
    }

    /** The running (not zombie) processes whose process group is {@code pgid}; empty when unavailable. */
    static List<ProcessHandle> members(long pgid) {
        List<ProcessHandle> members = new ArrayList<>();
        if (!available()) {
            return members;
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // After "pid (comm) ": state ppid pgrp ...; comm may hold spaces and parentheses.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (!f[0].equals("Z") && Long.parseLong(f[2]) == pgid) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(members::add);
                    }
                } catch (IOException | RuntimeException e) {
                    // The process ended while we read: not a member any more.
                }
            });
        } catch (IOException e) {
            LOG.debug("cannot list /proc: {}", e.toString());
        }
        return members;
    }

    /**
     * Sends {@code signal} ("TERM", "KILL") to every process of group {@code pgid}. Only call it while the group has
     * members: the kernel does not reuse a group id while a member lives, so the signal cannot reach a stranger.
     */
    static void signal(long pgid, String signal) {
        if (!available()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder(KILL.get(), "-s", signal, "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.warn("could not signal process group {} ({}): {}", pgid, signal, e.toString());
        } catch (InterruptedException e) {
            // Kept for the caller: the kill goes on (see ProcessTree.kill).
            Thread.currentThread().interrupt();
        }
    }
}
