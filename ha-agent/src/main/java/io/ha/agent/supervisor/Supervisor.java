package io.ha.agent.supervisor;

import com.google.common.base.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchdog loop: starts the agent, watches its exit and its heartbeat, and restarts it under a
 * {@link RestartPolicy}. Logs one line per event (started, exited, heartbeat stalled, restarting, giving up).
 *
 * <p>Outcomes of {@link #run()}: the agent's exit code 0 (a clean stop) ends the loop with 0; exit code 2 (the agent
 * refused its command line or configuration, which a restart cannot fix) ends it with 2; any other exit and a
 * stalled heartbeat count as failures and lead to a restart or, in a crash loop, to 1. After {@link #requestStop()}
 * the agent gets SIGTERM and the loop ends with the agent's own exit code once it has drained (1 if it had to be
 * killed after the stop timeout).
 */
final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    private static final long POLL_MS = 200;
    /**
     * A loop pass this much later than planned means this process itself was frozen (SIGSTOP, a suspended VM): the
     * agent's beats of that time still wait in the pipe, so its silence proves nothing yet.
     */
    private static final long PAUSE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long KILL_WAIT_MS = 10_000;
    /** The agent's exit code for a bad command line or configuration (AgentMain's contract). */
    static final int AGENT_USAGE_ERROR = 2;

    /** Starts one run of the agent. */
    @FunctionalInterface
    interface Launcher {
        AgentProcess start() throws IOException;
    }

    private sealed interface Outcome permits Exited, Stalled, Stopped {
    }

    private record Exited(int code) implements Outcome {
    }

    private record Stalled() implements Outcome {
    }

    private record Stopped(int code) implements Outcome {
    }

    private final SupervisorOptions options;
    private final RestartPolicy policy;
    private final Ticker ticker;
    private final Launcher launcher;
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    Supervisor(SupervisorOptions options, Ticker ticker, Launcher launcher) {
        this.options = options;
        this.policy = new RestartPolicy(options.restart(), ticker);
        this.ticker = ticker;
        this.launcher = launcher;
    }

    /** Asks the loop to stop the agent (SIGTERM, drain) and end; safe from any thread, e.g. a shutdown hook. */
    void requestStop() {
        stopRequested.countDown();
    }

    private boolean stopping() {
        return stopRequested.getCount() == 0;
    }

    /** Runs until a clean stop, a requested stop, a configuration error or a crash loop; returns the exit code. */
    int run() throws InterruptedException {
        while (!stopping()) {
            AgentProcess agent;
            try {
                agent = launcher.start();
            } catch (IOException e) {
                LOG.error("giving up: cannot start the agent: {}", e.getMessage());
                return 1;
            }
            policy.started();
            LOG.info("agent started, pid {}", agent.pid());
            Outcome outcome = watch(agent);
            if (outcome instanceof Stopped stopped) {
                return stopped.code();
            }
            if (outcome instanceof Exited exited) {
                if (exited.code() == 0) {
                    LOG.info("agent pid {} exited with code 0 (a clean stop); the supervisor stops too", agent.pid());
                    return 0;
                }
                if (exited.code() == AGENT_USAGE_ERROR) {
                    LOG.error("giving up: agent pid {} exited with code 2 (it refused its command line or "
                            + "configuration; a restart cannot fix that)", agent.pid());
                    return AGENT_USAGE_ERROR;
                }
                LOG.warn("agent pid {} exited with code {} after {}", agent.pid(), exited.code(), uptime(agent));
            }
            if (stopping()) {
                break;
            }
            RestartPolicy.Decision decision = policy.failed();
            if (decision instanceof RestartPolicy.GiveUp giveUp) {
                LOG.error("giving up: {}", giveUp.reason());
                return 1;
            }
            RestartPolicy.Restart restart = (RestartPolicy.Restart) decision;
            LOG.info("restarting the agent in {} (restart {} of at most {} within {})",
                    RestartPolicy.human(restart.delay()), restart.restartsInWindow(),
                    options.restart().maxRestarts(), RestartPolicy.human(options.restart().window()));
            if (stopRequested.await(restart.delay().toMillis(), TimeUnit.MILLISECONDS)) {
                break;
            }
        }
        LOG.info("stop requested while no agent was running; exiting");
        return 0;
    }

    private Outcome watch(AgentProcess agent) throws InterruptedException {
        long lastPass = ticker.read();
        long resumedAt = agent.startedAt();
        while (true) {
            OptionalInt code = agent.waitFor(POLL_MS);
            if (code.isPresent()) {
                return new Exited(code.getAsInt());
            }
            if (stopping()) {
                return new Stopped(stop(agent));
            }
            long now = ticker.read();
            if (now - lastPass > PAUSE_NANOS) {
                resumedAt = now;
            }
            lastPass = now;
            long beat = agent.lastBeat();
            if (beat < 0 && now - Math.max(agent.startedAt(), resumedAt) > options.startupTimeout().toNanos()) {
                LOG.warn("agent pid {} sent no heartbeat within {} of its start (startup timeout); killing its "
                        + "process tree with SIGKILL", agent.pid(), RestartPolicy.human(options.startupTimeout()));
                return kill(agent);
            }
            if (beat >= 0 && now - Math.max(beat, resumedAt) > options.heartbeatTimeout().toNanos()) {
                LOG.warn("agent pid {} heartbeat stalled: none for {} (timeout {}); the JVM is hung, killing its "
                        + "process tree with SIGKILL", agent.pid(), RestartPolicy.human(Duration.ofMillis((now - beat) / 1_000_000)),
                        RestartPolicy.human(options.heartbeatTimeout()));
                return kill(agent);
            }
        }
    }

    private Outcome kill(AgentProcess agent) throws InterruptedException {
        agent.killTree();
        OptionalInt code = agent.waitFor(KILL_WAIT_MS);
        LOG.info("agent pid {} killed (exit code {})", agent.pid(),
                code.isPresent() ? String.valueOf(code.getAsInt()) : "unknown: still not gone after SIGKILL");
        return new Stalled();
    }

    /** SIGTERM to the agent, then waits for it to drain; SIGKILL to its tree after the stop timeout. */
    private int stop(AgentProcess agent) throws InterruptedException {
        LOG.info("stop requested: forwarding SIGTERM to agent pid {} and waiting up to {} for it to drain",
                agent.pid(), RestartPolicy.human(options.stopTimeout()));
        agent.terminate();
        OptionalInt code = agent.waitFor(options.stopTimeout().toMillis());
        if (code.isEmpty()) {
            LOG.error("agent pid {} did not stop within {} of SIGTERM; killing its process tree with SIGKILL",
                    agent.pid(), RestartPolicy.human(options.stopTimeout()));
            agent.killTree();
            agent.waitFor(KILL_WAIT_MS);
            return 1;
        }
        LOG.info("agent pid {} stopped with code {}; the supervisor exits with it", agent.pid(), code.getAsInt());
        return code.getAsInt();
    }

    private String uptime(AgentProcess agent) {
        return RestartPolicy.human(Duration.ofMillis((ticker.read() - agent.startedAt()) / 1_000_000));
    }
}
