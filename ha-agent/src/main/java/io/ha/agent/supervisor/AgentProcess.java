package io.ha.agent.supervisor;

import com.google.common.base.Ticker;
import io.ha.process.ChildProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * One run of the supervised agent: a JVM started with this JVM's java binary and class path and
 * {@code HA_SUPERVISED=1}, as a {@link ChildProcess}. Its standard output is read line by line: {@link Heartbeat}
 * lines record a beat, every other line goes to {@code output}. Its standard error is this process's.
 *
 * <p>Guarantee: after {@link #killTree()} returns, the agent and the processes it had started (task commands) have
 * been sent SIGKILL. When the supervisor itself is killed with SIGKILL nothing forwards a signal; the agent notices
 * by itself ({@link SupervisorWatch}) within about a second and stops as on SIGTERM (drain, deregister).
 */
final class AgentProcess {
    /** The agent runs for weeks and beats every second: only the end of its output is worth keeping. */
    private static final int KEEP_LINES = 200;

    private final ChildProcess process;
    private final long startedAt;
    private final LastBeat beats;

    private AgentProcess(ChildProcess process, long startedAt, LastBeat beats) {
        this.process = process;
        this.startedAt = startedAt;
        this.beats = beats;
    }

    /** Starts {@code java <jvmArgs> -cp <classPath> <mainClass> <args>} with {@code HA_SUPERVISED=1}. */
    static AgentProcess start(List<String> jvmArgs, String classPath, String mainClass, List<String> args,
                              Ticker ticker, Consumer<String> output) throws IOException {
        LastBeat beats = new LastBeat(ticker, output);
        long startedAt = ticker.read();
        // Standard input stays an open pipe that nothing writes to: it reaches end of file only when this supervisor
        // is gone, which lets the agent notice an orphaned life.
        ChildProcess process = ChildProcess.java(mainClass).name("agent").jvmOptions(jvmArgs).classPath(classPath)
                .args(args).env(Heartbeat.ENV, "1").redirectError(ProcessBuilder.Redirect.INHERIT)
                .keepLines(KEEP_LINES).onLine((stream, line) -> beats.line(line)).start();
        return new AgentProcess(process, startedAt, beats);
    }

    /** Sorts the agent's lines: heartbeats are noted, the rest passed on. */
    private static final class LastBeat {
        private final Ticker ticker;
        private final Consumer<String> output;
        private volatile long lastBeat = -1;

        LastBeat(Ticker ticker, Consumer<String> output) {
            this.ticker = ticker;
            this.output = output;
        }

        void line(String line) {
            if (Heartbeat.parse(line) >= 0) {
                // The receipt time counts, not the agent's timestamp: the clocks of a frozen agent prove nothing.
                lastBeat = ticker.read();
            } else {
                output.accept(line);
            }
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Ticker time of the start. */
    long startedAt() {
        return startedAt;
    }

    /** Ticker time of the last heartbeat, or -1 before the first one. */
    long lastBeat() {
        return beats.lastBeat;
    }

    /**
     * Waits up to {@code millis} for the exit; the exit code, or empty while it runs. Once it exited, the last lines
     * the agent wrote have reached the output (or a short drain time has passed).
     */
    OptionalInt waitFor(long millis) throws InterruptedException {
        return process.awaitExit(Duration.ofMillis(millis));
    }

    /** SIGTERM to the agent only: it drains its own tasks. */
    void terminate() {
        process.terminate();
    }

    /** SIGKILL to the agent and every process it started ({@link ChildProcess#killTree()}). */
    void killTree() {
        process.killTree();
    }
}
