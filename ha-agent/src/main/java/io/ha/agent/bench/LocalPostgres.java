package io.ha.agent.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of its own for one benchmark section: {@code initdb} into a temporary directory, started with
 * {@code pg_ctl} on a free port of 127.0.0.1 (fsync as asked), stopped and deleted on {@link #close()} (and by a
 * shutdown hook if the JVM exits first). The binaries come from {@code HA_BENCH_PG_BIN} or the newest
 * {@code /usr/lib/postgresql/<version>/bin} (Debian's {@code postgresql} package). PostgreSQL refuses to run as
 * root: as root the server runs as the {@code postgres} user (through {@code runuser} or {@code setpriv}).
 *
 * <p>Guarantee: a real server with its production durability settings (fsync, synchronous commit) unless fsync was
 * turned off. Not tuned beyond its defaults except {@code max_connections}; nothing survives {@link #close()}.
 */
final class LocalPostgres implements AutoCloseable {
    static final String USER = "bench";
    private static final String BIN_ENV = "HA_BENCH_PG_BIN";

    private final Path bin;
    private final Path dir;
    private final int port;
    private final List<String> asUser;
    private final Thread hook;

    private LocalPostgres(Path bin, Path dir, int port, List<String> asUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asUser = asUser;
        this.hook = new Thread(this::stopQuietly, "bench-postgres-stop");
    }

    /** Why no server can be started on this machine, or empty when one can. */
    static Optional<String> unavailable() {
        if (binDir().isEmpty()) {
            return Optional.of("no PostgreSQL server binaries (initdb, pg_ctl, postgres) in $" + BIN_ENV
                    + " nor under /usr/lib/postgresql/*/bin: install Debian's 'postgresql' package");
        }
        if (isRoot() && runAs().isEmpty()) {
            return Optional.of("PostgreSQL refuses to run as root, and there is no 'postgres' user with runuser or "
                    + "setpriv to run it as");
        }
        return Optional.empty();
    }

    /**
     * Creates and starts a server.
     *
     * @param fsync          whether the server syncs its WAL on commit (its default, and production's)
     * @param maxConnections the server's connection limit
     */
    static LocalPostgres start(boolean fsync, int maxConnections) throws Exception {
        Optional<String> why = unavailable();
        if (why.isPresent()) {
            throw new BenchException(why.get());
        }
        Path bin = binDir().orElseThrow();
        List<String> asUser = isRoot() ? runAs().orElseThrow() : List.of();
        Path dir = Files.createTempDirectory("ha-bench-pg-");
        if (isRoot()) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
        }
        LocalPostgres pg = new LocalPostgres(bin, dir, freePort(), asUser);
        try {
            pg.exec(List.of(bin.resolve("initdb").toString(), "-D", pg.data(), "-U", USER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"), 120);
            Runtime.getRuntime().addShutdownHook(pg.hook);
            String options = "-p " + pg.port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync="
                    + (fsync ? "on" : "off") + " -c max_connections=" + maxConnections;
            pg.exec(List.of(bin.resolve("pg_ctl").toString(), "-D", pg.data(), "-l", dir.resolve("server.log")
                    .toString(), "-w", "-t", "60", "-o", options, "start"), 90);
            return pg;
        } catch (Exception | Error e) {
            pg.close();
            throw e;
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** A connection pool of at most {@code size} connections, named for the thread names it gives. */
    HikariDataSource pool(String name, int size) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setJdbcUrl(jdbcUrl());
        c.setUsername(USER);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        return new HikariDataSource(c);
    }

    /** Runs SQL statements separated by semicolons at line ends (a DDL script), in one connection. */
    void script(String sql) throws SQLException {
        try (HikariDataSource ds = pool("bench-pg-ddl", 1); Connection c = ds.getConnection();
             Statement s = c.createStatement()) {
            for (String statement : sql.split(";\\s*(\\r?\\n|$)")) {
                String text = statement.lines().filter(l -> !l.trim().startsWith("--"))
                        .reduce("", (a, b) -> a + "\n" + b).trim();
                if (!text.isEmpty()) {
                    s.execute(text);
                }
            }
        }
    }

    /**
     * CPU time the server's processes have used so far: the postmaster, its live children (backends, the WAL
     * writer, the checkpointer) and the children it has reaped (backends of closed connections), from /proc; -1
     * off Linux.
     */
    long cpuNanos() {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).trim());
            long ticks = 0;
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    long[] s = stat(p);
                    if (s == null) {
                        continue;
                    }
                    if (s[0] == postmaster) {
                        ticks += s[2] + s[3] + s[4] + s[5];
                    } else if (s[1] == postmaster) {
                        ticks += s[2] + s[3];
                    }
                }
            }
            // USER_HZ is 100 on every Linux this runs on.
            return ticks * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** pid, ppid, utime, stime, cutime, cstime of one process, or null if it is gone. */
    private static long[] stat(Path proc) {
        try {
            String s = Files.readString(proc.resolve("stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(proc.getFileName().toString()), Long.parseLong(f[1]),
                Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already exiting: the hook runs (or ran) the same stop.
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless; the server is stopped.
        }
    }

    private void stopQuietly() {
        if (!Files.exists(dir.resolve("data/postmaster.pid"))) {
            return;
        }
        try {
            exec(List.of(bin.resolve("pg_ctl").toString(), "-D", data(), "-m", "fast", "-w", "-t", "60", "stop"), 90);
        } catch (Exception e) {
            // Stopping is best effort on the way out; the report has its figures already.
            System.err.println("ha-bench: could not stop the PostgreSQL server in " + dir + ": " + e.getMessage());
        }
    }

    private String data() {
        return dir.resolve("data").toString();
    }

    private void exec(List<String> command, int timeoutSeconds) throws Exception {
        List<String> full = new ArrayList<>(asUser);
        full.addAll(command);
        Path log = dir.resolve("commands.log");
        Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new BenchException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
            String tail = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Path server = dir.resolve("server.log");
            if (Files.exists(server)) {
                tail += Files.readString(server, StandardCharsets.UTF_8);
            }
            throw new BenchException(String.join(" ", command) + " exited " + p.exitValue() + ":\n"
                    + tail.substring(Math.max(0, tail.length() - 2000)));
        }
    }

    private static Optional<Path> binDir() {
        String env = System.getenv(BIN_ENV);
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env)).filter(LocalPostgres::complete);
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(LocalPostgres::complete)
                    .max(Comparator.comparingInt(LocalPostgres::major));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int major(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean complete(Path bin) {
        return Stream.of("initdb", "pg_ctl", "postgres").allMatch(f -> Files.isExecutable(bin.resolve(f)));
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The command prefix that runs a program as the postgres user, if this machine has the user and a tool. */
    private static Optional<List<String>> runAs() {
        try {
            if (Files.readAllLines(Path.of("/etc/passwd")).stream().noneMatch(l -> l.startsWith("postgres:"))) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, "runuser"))) {
                return Optional.of(List.of(dir + "/runuser", "-u", "postgres", "--"));
            }
        }
        for (String dir : List.of("/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, "setpriv"))) {
                return Optional.of(List.of(dir + "/setpriv", "--reuid=postgres", "--regid=postgres",
                        "--init-groups"));
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
