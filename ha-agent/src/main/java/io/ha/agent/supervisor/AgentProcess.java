package io.ha.agent.supervisor;

import com.google.common.base.Ticker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the supervised agent: a JVM started with this JVM's java binary and class path and
 * {@code HA_SUPERVISED=1}. Its standard output is read line by line on a daemon thread: {@link Heartbeat} lines
 * record a beat, every other line goes to {@code output}. Its standard error is this process's.
 *
 * <p>Guarantee: after {@link #killTree()} returns, the agent and the processes it had started (task commands) have
 * been sent SIGKILL. When the supervisor itself is killed with SIGKILL nothing forwards a signal; the agent notices
 * by itself ({@link SupervisorWatch}) within about a second and stops as on SIGTERM (drain, deregister).
 */
final class AgentProcess {
    private static final Logger LOG = LoggerFactory.getLogger(AgentProcess.class);

    private final Process process;
    private final Ticker ticker;
    private final long startedAt;
    private final Thread reader;
    private volatile long lastBeat = -1;

    private AgentProcess(Process process, Ticker ticker, Consumer<String> output) {
        this.process = process;
        this.ticker = ticker;
        this.startedAt = ticker.read();
        this.reader = new Thread(() -> read(output), "agent-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java <jvmArgs> -cp <classPath> <mainClass> <args>} with {@code HA_SUPERVISED=1}. */
    static AgentProcess start(List<String> jvmArgs, String classPath, String mainClass, List<String> args,
                              Ticker ticker, Consumer<String> output) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put(Heartbeat.ENV, "1");
        // Standard input stays an open pipe that nothing writes to: it reaches end of file only when this supervisor
        // is gone, which lets the agent notice an orphaned life.
        return new AgentProcess(builder.start(), ticker, output);
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private void read(Consumer<String> output) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (Heartbeat.parse(line) >= 0) {
                    // The receipt time counts, not the agent's timestamp: the clocks of a frozen agent prove nothing.
                    lastBeat = ticker.read();
                } else {
                    output.accept(line);
                }
            }
        } catch (IOException e) {
            // The pipe broke (the agent was killed mid-line): its heartbeat stops, and the watchdog sees to the rest.
            LOG.debug("reading the output of agent pid {} ended: {}", pid(), e.toString());
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
        return lastBeat;
    }

    /** Waits up to {@code millis} for the exit; the exit code, or empty while it runs. */
    OptionalInt waitFor(long millis) throws InterruptedException {
        if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            return OptionalInt.of(process.exitValue());
        }
        return OptionalInt.empty();
    }

    /** Lets the last lines the agent wrote reach the output before the exit is reported. */
    void drainOutput(long millis) throws InterruptedException {
        reader.join(millis);
    }

    /** SIGTERM to the agent only: it drains its own tasks. */
    void terminate() {
        process.toHandle().destroy();
    }

    /**
     * SIGKILL to the agent and every process it started. The descendants are listed first: once the agent is dead its
     * children are re-parented and can no longer be found through it. The agent is killed before them so a live
     * agent cannot start new ones in between.
     */
    void killTree() {
        List<ProcessHandle> descendants = process.toHandle().descendants().toList();
        process.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
