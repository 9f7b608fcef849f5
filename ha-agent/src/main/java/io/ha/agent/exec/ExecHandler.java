package io.ha.agent.exec;

import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import io.ha.core.task.NonRetryableTaskException;
import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskHandler;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in handler of {@link ExecPayload#TYPE} tasks: runs the payload's command (no shell unless the command is
 * one) with the agent's environment minus its {@code HA_*} variables (which hold the agent's secrets) plus the
 * payload's additions, in the payload's working directory, stdout and stderr combined.
 *
 * <p>The command reads the task's {@link TaskContext#input()} on stdin (for a follow-up task: its parent's result;
 * otherwise stdin is empty) and finds {@value #ENV_TASK_ID}, {@value #ENV_TASK_ATTEMPT} and, for a follow-up,
 * {@value #ENV_PARENT_ID} in its environment; these three are set last, over the payload's own variables. A command
 * that does not read its stdin is not held up by it.
 *
 * <p>Guarantees: exit code 0 records the last {@value #TAIL_BYTES} bytes of output as the result; any other exit code
 * fails the attempt (retried while attempts remain) with an error naming the exit code and ending with the output's
 * tail. When the task times out, is cancelled, or the agent loses its session or drains (the handler thread is then
 * interrupted), the whole process tree is killed: SIGTERM, then SIGKILL after the kill grace. A payload that is not
 * valid exec JSON fails at once without retry. Not guaranteed: ending processes that detached themselves from the
 * tree (see {@link ProcessTree}), or anything when the agent itself is killed with SIGKILL (its children then live on).
 */
public final class ExecHandler implements TaskHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ExecHandler.class);
    /** How much output is kept: the result of a success, the end of a failure's error. */
    public static final int TAIL_BYTES = 4096;
    /**
     * The framework keeps the first 4096 characters of an error (class name included); the error is kept shorter so
     * that its end, the output's last lines, is what survives.
     */
    private static final int ERROR_LIMIT = 4096 - ExecFailedException.class.getSimpleName().length() - 2;
    /** How long to wait for the last output after the process exited (a detached child may hold the pipe open). */
    private static final long OUTPUT_DRAIN_MS = 1000;

    /** Variables of the agent's environment with this prefix are not passed to commands (the payload may set some). */
    public static final String AGENT_ENV_PREFIX = "HA_";
    /** The running task's id. */
    public static final String ENV_TASK_ID = "HA_TASK_ID";
    /** The attempt number, from 1. */
    public static final String ENV_TASK_ATTEMPT = "HA_TASK_ATTEMPT";
    /** For a follow-up task: the id of the task whose outcome created it (unset otherwise). */
    public static final String ENV_PARENT_ID = "HA_PARENT_ID";

    private final Duration killGrace;

    /** @param killGrace time between SIGTERM and SIGKILL when the process tree is killed */
    public ExecHandler(Duration killGrace) {
        Preconditions.checkArgument(killGrace != null && !killGrace.isNegative(), "kill grace must not be negative");
        this.killGrace = killGrace;
    }

    @Override
    public byte[] handle(TaskContext context) throws Exception {
        ExecPayload payload;
        try {
            payload = ExecPayload.fromJson(context.taskId(), context.payload());
        } catch (CorruptDataException | IllegalArgumentException e) {
            throw new NonRetryableTaskException("invalid exec payload: " + e.getMessage());
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("task " + context.taskId() + " was stopped before its command started");
        }
        ProcessBuilder pb = new ProcessBuilder(payload.command()).redirectErrorStream(true);
        // The agent's own configuration (HA_ZK_AUTH, HA_HTTP_TOKEN, ...) is not the command's business: a task could
        // otherwise print the agent's secrets into its result.
        pb.environment().keySet().removeIf(name -> name.startsWith(AGENT_ENV_PREFIX));
        pb.environment().putAll(payload.env());
        // Set after the filter and the payload's variables, so a command can rely on them.
        pb.environment().put(ENV_TASK_ID, context.taskId());
        pb.environment().put(ENV_TASK_ATTEMPT, String.valueOf(context.attempt()));
        if (context.parentId() != null) {
            pb.environment().put(ENV_PARENT_ID, context.parentId());
        } else {
            pb.environment().remove(ENV_PARENT_ID);
        }
        if (payload.cwd() != null) {
            pb.directory(new File(payload.cwd()));
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            // Retryable: another agent may have the program or the directory.
            throw new ExecFailedException("cannot start " + payload.command().get(0)
                    + (payload.cwd() == null ? "" : " in " + payload.cwd()) + ": " + e.getMessage());
        }
        OutputTail tail = new OutputTail(TAIL_BYTES);
        Thread pump = startPump(process.getInputStream(), tail, context.taskId());
        feedInput(process.getOutputStream(), context.input(), context.taskId());
        LOG.debug("task {}: started pid {}: {}", context.taskId(), process.pid(), payload.command());
        boolean exited;
        try {
            exited = payload.timeoutMs() == 0 ? waitFor(process) : process.waitFor(payload.timeoutMs(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            int killed = ProcessTree.kill(process.toHandle(), killGrace);
            LOG.info("task {} stopped (cancelled, drained or session lost): killed its process tree (pid {}, {} "
                    + "process(es))", context.taskId(), process.pid(), killed);
            throw e;
        }
        if (!exited) {
            int killed = ProcessTree.kill(process.toHandle(), killGrace);
            pump.join(OUTPUT_DRAIN_MS);
            throw new ExecFailedException(describe("timed out after " + payload.timeoutMs() + " ms; killed its process "
                    + "tree (pid " + process.pid() + ", " + killed + " process(es))", tail));
        }
        pump.join(OUTPUT_DRAIN_MS);
        int code = process.exitValue();
        if (code != 0) {
            throw new ExecFailedException(describe("exit code " + code, tail));
        }
        return tail.bytes();
    }

    private static boolean waitFor(Process process) throws InterruptedException {
        process.waitFor();
        return true;
    }

    private static String describe(String what, OutputTail tail) {
        String header = what + "; " + (tail.total() == 0 ? "no output" : tail.total() > TAIL_BYTES
                ? "last " + TAIL_BYTES + " of " + tail.total() + " bytes of output:\n"
                : "output:\n");
        return header + tail.text(Math.max(0, ERROR_LIMIT - header.length()));
    }

    /**
     * Writes the input to the command's stdin and closes it. Not on the handler's thread: a command that fills its
     * output pipe before reading all its input would otherwise wait on us while we wait on it. A command that exits
     * without reading (or kills itself) makes the write fail with a broken pipe, which only ends the feeding.
     */
    private static void feedInput(OutputStream stdin, byte[] input, String taskId) throws IOException {
        if (input == null || input.length == 0) {
            stdin.close();
            return;
        }
        Thread t = new Thread(() -> {
            try (stdin) {
                stdin.write(input);
            } catch (IOException e) {
                LOG.debug("task {}: the command did not read all of its {} bytes of input ({})", taskId,
                        input.length, e.getMessage());
            }
        }, "ha-exec-input-" + taskId);
        t.setDaemon(true);
        t.start();
    }

    /** Copies the output on its own thread: a full pipe would otherwise block the command. */
    private static Thread startPump(InputStream in, OutputTail tail, String taskId) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    tail.write(buf, 0, n);
                }
            } catch (IOException e) {
                // The stream is closed when the process is destroyed: the output ends there.
            }
        }, "ha-exec-output-" + taskId);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A command that could not start, exited with a non-zero code or timed out. */
    public static final class ExecFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        public ExecFailedException(String message) {
            super(message);
        }
    }
}
