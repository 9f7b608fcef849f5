package io.ha.agent;

import io.ha.agent.config.AgentConfig;
import io.ha.agent.config.ConfigException;
import io.ha.agent.config.ConfigLoader;
import io.ha.agent.config.FileAccess;
import io.ha.agent.config.SecurityPolicy;
import io.ha.agent.plugin.PluginLoader;
import io.ha.agent.supervisor.Heartbeat;
import io.ha.agent.supervisor.SupervisorWatch;
import io.ha.core.cluster.ProcessIdentity;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/ha-agent}: the daemon run on every host. Reads the configuration (file, then {@code HA_*} environment
 * variables, then flags), joins the cluster, runs task handlers and serves HTTP until SIGTERM or SIGINT, on which it
 * drains, deregisters and exits 0.
 *
 * <p>Prints exactly one line {@code HA-AGENT READY id=<id> http=<host:port> zk=<connect>} ({@link ReadyLine}) on
 * stdout once it takes tasks. Exit codes: 0 after a clean stop, 1 when it cannot start (ZooKeeper unreachable,
 * duplicate id, port in use), 2 for a usage or configuration error (the message names the key; no stack trace).
 */
@Command(name = "ha-agent", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Runs an HA agent: joins the cluster, runs tasks, serves /health, /ready, /status, /metrics.",
        footer = {"", "Every config key can also be set with an environment variable HA_<KEY> (upper case, dots as "
                + "underscores, e.g. HA_ZK_CONNECT); flags win over the environment, the environment over the file.",
                "Exit codes: 0 clean stop, 1 cannot start, 2 usage or configuration error."})
public final class AgentMain implements Callable<Integer> {
    /** Where {@code bin/ha-agent} is: the base of relative paths and of the default config file. */
    public static final String HOME_PROPERTY = "ha.home";

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file (default: conf/ha-agent.properties under the HA home, if present).")
    private Path configFile;

    @Option(names = "--zk", paramLabel = "CONNECT",
            description = "zk.connect: host:port[,...][/chroot]; \"\" = embedded.")
    private String zk;

    @Option(names = "--id", paramLabel = "ID", description = "agent.id (default <hostname>-<pid>).")
    private String id;

    @Option(names = "--cluster", paramLabel = "NAME", description = "cluster.name.")
    private String clusterName;

    @Option(names = "--http-host", paramLabel = "HOST", description = "http.host (default 127.0.0.1).")
    private String httpHost;

    @Option(names = "--http-port", paramLabel = "N", description = "http.port (0 = a free port).")
    private String httpPort;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any config key (repeatable); secrets excepted.")
    private Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--print-config", description = "Print the effective configuration (secrets masked) and exit.")
    private boolean printConfig;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final AtomicInteger exitCode = new AtomicInteger(0);

    AgentMain(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        AgentMain main = new AgentMain(System.getenv(), System.out, System.err);
        CommandLine cl = new CommandLine(main).setOut(new java.io.PrintWriter(System.out, true))
                .setErr(new java.io.PrintWriter(System.err, true));
        int code = cl.execute(args);
        main.exitCode.set(code);
        System.exit(code);
    }

    @Override
    public Integer call() {
        Path home = homeDir();
        AgentConfig config;
        try {
            config = new ConfigLoader(env, home).load(
                    configFile != null ? configFile : home.resolve("conf/ha-agent.properties"), configFile != null,
                    flags());
        } catch (ConfigException e) {
            err.println("ha-agent: " + e.getMessage());
            return 2;
        }
        if (printConfig) {
            out.println(config);
            return 0;
        }
        try {
            SecurityPolicy.check(config);
        } catch (ConfigException e) {
            err.println("ha-agent: " + e.getMessage());
            return 2;
        }
        initLogging(config, home);
        Logger log = LoggerFactory.getLogger(AgentMain.class);
        if (Heartbeat.supervised()) {
            Heartbeat.start(out);
            long[] supervisorPid = {-1};
            SupervisorWatch.start(() -> {
                // An agent left running without its supervisor would be started a second time, under the same id,
                // by the next supervisor: stop the way SIGTERM stops (drain, deregister, exit 0).
                String message = "supervisor (pid " + (supervisorPid[0] < 0 ? "unknown" : supervisorPid[0])
                        + ") is gone: stopping this agent (draining its tasks)";
                log.warn(message);
                // Standard output was the pipe to the supervisor and leads nowhere now; standard error is shared.
                err.println("ha-agent: " + message);
                new Thread(() -> System.exit(0), "ha-agent-orphaned").start();
            }).ifPresent(pid -> supervisorPid[0] = pid);
        }
        AgentDaemon daemon = new AgentDaemon(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.stop();
            out.flush();
            stopLogging();
            // SIGTERM would end the JVM with 143; a clean, drained stop is a success.
            Runtime.getRuntime().halt(exitCode.get());
        }, "ha-agent-shutdown"));
        try {
            daemon.start();
        } catch (PluginLoader.PluginException e) {
            return fail(log, 2, "plugins.dir " + config.pluginsDir() + ": " + e.getMessage(), e);
        } catch (ConfigException e) {
            // Checked at start rather than when loading: exec.secret.key.file's key and exec.user's account.
            return fail(log, 2, e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(log, 1, "interrupted while starting", e);
        } catch (Exception e) {
            return fail(log, 1, "cannot start: " + describe(e), e);
        }
        synchronized (out) {
            out.println(new ReadyLine(daemon.agentId(), daemon.httpEndpoint(), daemon.connectString()).line());
            out.flush();
        }
        try {
            daemon.awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private int fail(Logger log, int code, String message, Exception e) {
        exitCode.set(code);
        log.error(message);
        log.debug("start failure", e);
        err.println("ha-agent: " + message);
        return code;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(" (").append(c.getMessage()).append(')');
                break;
            }
        }
        return sb.toString();
    }

    private Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>(set);
        putIf(flags, "zk.connect", zk);
        putIf(flags, "agent.id", id);
        putIf(flags, "cluster.name", clusterName);
        putIf(flags, "http.host", httpHost);
        putIf(flags, "http.port", httpPort);
        return flags;
    }

    private static void putIf(Map<String, String> flags, String key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }

    private static Path homeDir() {
        String home = System.getProperty(HOME_PROPERTY);
        return Path.of(home == null || home.isBlank() ? "" : home).toAbsolutePath().normalize();
    }

    /**
     * Points Logback at the log directory and file name, and at {@code conf/logback.xml} under the HA home unless a
     * configuration file was named, then (re)reads the configuration.
     */
    private static void initLogging(AgentConfig config, Path home) {
        try {
            // Logback would create it with the umask's mode (often 0755): logs name hosts, tasks and commands.
            FileAccess.createPrivateDirectories(config.logDir());
        } catch (IOException e) {
            System.err.println("ha-agent: cannot create log.dir " + config.logDir() + ": " + e.getMessage());
        }
        System.setProperty("ha.log.dir", config.logDir().toString());
        System.setProperty("ha.log.name", "ha-agent-" + config.agentId().replaceAll("[^A-Za-z0-9._-]", "_"));
        Path conf = home.resolve("conf/logback.xml");
        if (System.getProperty("logback.configurationFile") == null && Files.isRegularFile(conf)) {
            System.setProperty("logback.configurationFile", conf.toString());
        }
        // Validating the configuration may already have started Logback (ha-core classes log): read it again now
        // that the properties are set.
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ctx.reset();
            try {
                new ch.qos.logback.classic.util.ContextInitializer(ctx).autoConfig();
            } catch (ch.qos.logback.core.joran.spi.JoranException e) {
                System.err.println("ha-agent: logging configuration failed: " + e.getMessage());
            }
        }
    }

    private static void stopLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ctx.stop();
        }
    }

    /** The version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ha-agent " + ProcessIdentity.version()};
        }
    }
}
