package io.ha.chaos.agent;

import io.ha.agent.AgentDaemon;
import io.ha.agent.ReadyLine;
import io.ha.agent.config.AgentConfig;
import io.ha.agent.config.ConfigException;
import io.ha.agent.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent of a chaos run, in a JVM of its own: the real {@link AgentDaemon} (configuration file, registration,
 * election, drain on SIGTERM) plus the run's {@link AgentWorkload} on the daemon's cluster member. Prints the agent's
 * READY line ({@link ReadyLine}) once it takes tasks; exits 0 after SIGTERM (drained), 1 when it cannot start, 2 for
 * bad arguments.
 *
 * <p>Arguments: {@code CONFIG_FILE AGENT_ID ZK_CONNECT RUN_DIR}. Events go to {@code RUN_DIR/events/<id>-<pid>.log}.
 */
public final class ChaosAgentMain {
    private ChaosAgentMain() {
    }

    /**
     * Ends this JVM when the run that started it is gone (its end of our standard input closes), so a run killed
     * with kill -9 leaves no agent behind. No drain: the run is over.
     */
    private static void watchOwner() {
        Thread owner = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Nothing is ever written to us: we only wait for the end of the pipe.
                }
            } catch (java.io.IOException e) {
                // A broken pipe is an end as well.
            }
            System.err.println("ha-chaos agent: the run that started it is gone; stopping");
            Runtime.getRuntime().halt(1);
        }, "owner-watch");
        owner.setDaemon(true);
        owner.start();
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("ha-chaos agent: expected CONFIG_FILE AGENT_ID ZK_CONNECT RUN_DIR, got " + args.length
                    + " arguments");
            System.exit(2);
        }
        watchOwner();
        Path runDir = Path.of(args[3]);
        AgentConfig config;
        try {
            config = new ConfigLoader(Map.of(), runDir).load(Path.of(args[0]), true,
                    Map.of("agent.id", args[1], "zk.connect", args[2]));
        } catch (ConfigException e) {
            System.err.println("ha-chaos agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(ChaosAgentMain.class);
        AgentDaemon daemon = new AgentDaemon(config);
        EventLog events;
        try {
            events = EventLog.open(runDir.resolve("events").resolve(args[1] + "-" + ProcessHandle.current().pid()
                    + ".log"));
        } catch (Exception e) {
            System.err.println("ha-chaos agent: cannot open the event log: " + e);
            System.exit(1);
            return;
        }
        AgentWorkload workload = new AgentWorkload(config.agentId(), events, runDir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM: the loop first (it holds the lock others wait for), then the agent's own drain.
            workload.stop();
            daemon.stop();
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }, "chaos-agent-shutdown"));
        try {
            daemon.start();
            workload.start(daemon.cluster());
        } catch (Exception | Error e) {
            log.error("cannot start: {}", e.toString());
            System.err.println("ha-chaos agent: cannot start: " + e);
            Runtime.getRuntime().halt(1);
        }
        System.out.println(new ReadyLine(daemon.agentId(), daemon.httpEndpoint(), daemon.connectString()).line());
        System.out.flush();
        try {
            daemon.awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
