package io.ha.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process checks for tests. */
public final class Processes {
    private Processes() {
    }

    /**
     * True when {@code pid} no longer runs: gone, or a zombie waiting for init to reap it (a killed orphan is
     * re-parented to init, and some inits reap late).
     */
    public static boolean gone(long pid) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
            } catch (IOException | RuntimeException e) {
                return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            }
        }
        return true;
    }
}
