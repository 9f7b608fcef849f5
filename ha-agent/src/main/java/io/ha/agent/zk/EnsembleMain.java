package io.ha.agent.zk;

import io.ha.process.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/ha-zk --ensemble 3|5}: a {@link LocalEnsemble} in the foreground, each server a process of its own on
 * 127.0.0.1; prints {@code HA-ZK READY <connect string>} once a leader serves with every server following, and stops
 * every server on SIGTERM or Ctrl-C. {@code bin/ha-zk --ensemble stop} stops a running one through its pid files
 * (the owner's, then each server's). The data directories are kept unless {@code --wipe}.
 *
 * <p>Not guaranteed: that the ports stay free between the choice and the start (a server that cannot bind exits;
 * its log is {@code server-<id>.log} in the data directory). Exit codes: 0 clean stop, 1 the ensemble failed to
 * serve, 2 usage error.
 */
@Command(name = "ha-zk --ensemble", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs a ZooKeeper ensemble of 3 or 5 servers on 127.0.0.1, each a process of its own.")
public final class EnsembleMain implements Callable<Integer> {
    private static final String OWNER_PID = "ensemble.pid";
    private static final Duration SERVE_TIMEOUT = Duration.ofSeconds(90);

    @Option(names = "--ensemble", required = true, paramLabel = "N|stop", description = "How many servers (3 or 5),"
            + " or 'stop' to stop the ensemble running on --data-dir.")
    private String ensemble;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directories under DIR/server-<id> "
            + "(default data/zk-ensemble under the HA home).")
    private Path dataDir;

    @Option(names = "--port", paramLabel = "N", description = "First client port (client ports N, N+1, ...; "
            + "quorum ports from N+100, election ports from N+200); default 0, free ports.")
    private int port;

    @Option(names = "--tick-time", paramLabel = "MS", description = "ZooKeeper tick in ms (default 2000).")
    private int tickTime = 2000;

    @Option(names = "--wipe", description = "Start from empty data directories and delete them when stopped.")
    private boolean wipe;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EnsembleMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = (dataDir != null ? dataDir : home().resolve("data/zk-ensemble")).toAbsolutePath().normalize();
        if ("stop".equals(ensemble)) {
            return stop(dir);
        }
        int size;
        try {
            size = Integer.parseInt(ensemble);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size != 3 && size != 5) {
            System.err.println("ha-zk: --ensemble takes 3, 5 or stop, got " + ensemble);
            return 2;
        }
        if (tickTime < 1 || port < 0 || port > 65000) {
            System.err.println("ha-zk: --tick-time must be positive and --port in 0-65000");
            return 2;
        }
        Optional<ProcessHandle> owner = running(dir.resolve(OWNER_PID), EnsembleMain.class.getName());
        if (owner.isPresent()) {
            System.err.println("ha-zk: an ensemble already runs on " + dir + " (pid " + owner.get().pid()
                    + "); stop it with bin/ha-zk --ensemble stop");
            return 2;
        }
        if (wipe) {
            delete(dir);
        }
        return run(dir, size);
    }

    private int run(Path dir, int size) throws InterruptedException, IOException {
        LocalEnsemble local = LocalEnsemble.builder(dir).size(size).tickTime(Duration.ofMillis(tickTime))
                .firstClientPort(port).start();
        Files.writeString(dir.resolve(OWNER_PID), ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shutDown(local, dir);
            System.out.println("ha-zk: stopped");
            System.out.flush();
            stopped.countDown();
            // SIGTERM would end the JVM with 143; a clean stop is a success.
            Runtime.getRuntime().halt(0);
        }, "ha-zk-shutdown"));
        System.out.println("*** HA-ZK: an ensemble of " + size + " servers on ONE machine: it survives a server's "
                + "crash, not the machine's. ***");
        System.out.println("ha-zk: data in " + dir + (wipe ? " (deleted when stopped)" : ""));
        try {
            local.awaitQuorum(SERVE_TIMEOUT);
        } catch (TimeoutException e) {
            System.err.println("ha-zk: " + e.getMessage() + "; the servers' logs are " + dir + "/server-<id>.log");
            local.close();
            Files.deleteIfExists(dir.resolve(OWNER_PID));
            return 1;
        }
        for (EnsembleLayout.Server s : local.layout().servers()) {
            System.out.println("ha-zk: server " + s.id() + " " + s.address() + " pid " + local.pid(s.id()).orElse(-1)
                    + " " + local.mode(s.id()).name().toLowerCase(java.util.Locale.ROOT));
        }
        System.out.println(ZkServerMain.READY_PREFIX + local.connectString());
        System.out.flush();
        stopped.await();
        return 0;
    }

    private void shutDown(LocalEnsemble local, Path dir) {
        try {
            for (int id = 1; id <= local.size(); id++) {
                local.stop(id);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        local.close();
        try {
            Files.deleteIfExists(dir.resolve(OWNER_PID));
            if (wipe) {
                delete(dir);
            }
        } catch (IOException e) {
            System.err.println("ha-zk: cannot clean up " + dir + ": " + e);
        }
    }

    /** Stops the owner (its shutdown stops the servers), then any server left behind by an owner killed with -9. */
    private static int stop(Path dir) throws InterruptedException, IOException {
        List<ProcessHandle> found = new ArrayList<>();
        running(dir.resolve(OWNER_PID), EnsembleMain.class.getName()).ifPresent(found::add);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> servers = Files.list(dir)) {
                for (Path s : servers.filter(p -> p.getFileName().toString().startsWith("server-")).sorted().toList()) {
                    running(s.resolve("server.pid"), QuorumServerMain.class.getName()).ifPresent(found::add);
                }
            }
        }
        if (found.isEmpty()) {
            System.out.println("ha-zk: no ensemble runs on " + dir);
            return 0;
        }
        for (ProcessHandle p : found) {
            p.destroy();
            if (!p.onExit().completeOnTimeout(p, 30, java.util.concurrent.TimeUnit.SECONDS).join().isAlive()) {
                continue;
            }
            ChildProcess.signal(p.pid(), ChildProcess.Signal.KILL);
        }
        System.out.println("ha-zk: stopped the ensemble on " + dir + " (" + found.size() + " processes)");
        return 0;
    }

    /** The live process a pid file names, if it still runs {@code mainClass} (a pid may have been reused). */
    private static Optional<ProcessHandle> running(Path pidFile, String mainClass) throws IOException {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> commandLine(p).contains(mainClass));
    }

    /** The whole command line: the JDK's {@code info().commandLine()} is empty for long ones (a class path). */
    private static String commandLine(ProcessHandle p) {
        Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) {
                return Files.readString(proc, StandardCharsets.UTF_8).replace('\0', ' ');
            }
        } catch (IOException e) {
            // Gone in between, or not ours to read: fall back on what the JDK knows.
        }
        return p.info().commandLine().orElse("");
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path home() {
        String home = System.getProperty("ha.home");
        return Path.of(home == null || home.isBlank() ? "" : home);
    }
}
