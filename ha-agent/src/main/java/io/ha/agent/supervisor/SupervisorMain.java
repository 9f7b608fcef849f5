package io.ha.agent.supervisor;

import ch.qos.logback.classic.Level;
import com.google.common.base.Ticker;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/ha-agent --supervise [supervisor options] [agent options]}: a small parent process that runs the agent
 * ({@code io.ha.agent.AgentMain}, same java binary, JVM options and class path, the remaining arguments) as a child
 * and restarts it when it exits abnormally or its heartbeat over the stdout pipe stalls (a hung JVM), with
 * exponential backoff and a crash-loop limit. The agent's other output lines are forwarded to this process's standard
 * output; its standard error is shared. Options: {@link SupervisorOptions}.
 *
 * <p>Exit codes: 0 when the agent stopped cleanly (it exited 0, or it drained after SIGTERM to this process and
 * exited 0: SIGTERM is forwarded and this process exits with the agent's code); 1 when it gave up (crash loop,
 * unstartable agent, agent killed after the stop timeout); 2 for a bad command line, of this process or (the agent's
 * exit code 2) of the agent.
 */
public final class SupervisorMain {
    private static final String LOG_NAME = "io.ha.agent.supervisor";

    private SupervisorMain() {
    }

    /** Supervises the agent until a clean stop, a requested stop or giving up; exits with the codes above. */
    public static void main(String[] args) {
        // Before anything logs: conf/logback.xml names its file after these (the agent sets its own in its JVM).
        if (System.getProperty("ha.log.name") == null) {
            System.setProperty("ha.log.name", "ha-supervisor");
        }
        String home = System.getProperty("ha.home");
        if (System.getProperty("ha.log.dir") == null && home != null && !home.isBlank()) {
            System.setProperty("ha.log.dir", java.nio.file.Path.of(home, "logs").toString());
        }
        showEventLog();
        SupervisorOptions options;
        try {
            options = SupervisorOptions.parse(Arrays.asList(args), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("ha-agent --supervise: " + e.getMessage());
            System.err.println(SupervisorOptions.USAGE);
            System.exit(2);
            return;
        }
        List<String> jvmArgs = childJvmArgs();
        String classPath = System.getProperty("java.class.path");
        Ticker ticker = Ticker.systemTicker();
        Supervisor supervisor = new Supervisor(options, ticker, () -> AgentProcess.start(jvmArgs, classPath,
                options.mainClass(), options.agentArgs(), ticker, SupervisorMain::forward));

        CompletableFuture<Integer> result = new CompletableFuture<>();
        // SIGTERM, SIGINT and SIGHUP reach a JVM as shutdown. The hook hands the stop to the loop (which forwards
        // SIGTERM and waits for the drain) and then halts with the loop's code: a plain return from a hook would
        // make the exit code 143, and System.exit cannot be called while the JVM is already shutting down.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            supervisor.requestStop();
            int code = awaitQuietly(result);
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(code);
        }, "supervisor-stop"));

        int code;
        try {
            code = supervisor.run();
        } catch (InterruptedException e) {
            code = 1;
        } catch (RuntimeException | Error e) {
            LoggerFactory.getLogger(SupervisorMain.class).error("giving up: the supervisor failed", e);
            code = 1;
        }
        result.complete(code);
        System.exit(code);
    }

    private static int awaitQuietly(CompletableFuture<Integer> result) {
        while (true) {
            try {
                return result.get();
            } catch (InterruptedException e) {
                // Nothing interrupts the shutdown hook on purpose; keep waiting for the drain to finish.
            } catch (ExecutionException e) {
                return 1;
            }
        }
    }

    private static void forward(String line) {
        System.out.println(line);
    }

    /**
     * The agent module's logback.xml keeps {@code io.ha} at WARN (the benchmark wants quiet); the supervisor's few
     * event lines at INFO are its whole point, so they are shown whatever that file says.
     */
    private static void showEventLog() {
        if (LoggerFactory.getLogger(LOG_NAME) instanceof ch.qos.logback.classic.Logger logger
                && !logger.isInfoEnabled()) {
            logger.setLevel(Level.INFO);
        }
    }

    /**
     * This JVM's own options for the child (heap, system properties, logging configuration), without debugger and
     * agent attachments, which would clash on their port or instrument twice.
     */
    static List<String> childJvmArgs() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib:") && !a.startsWith("-javaagent:")
                        && !a.startsWith("-Xrunjdwp") && !a.equals("-Xdebug"))
                .toList();
    }
}
