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
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in handler of {@link ExecPayload#TYPE} tasks: runs the payload's command (no shell unless the command is
 * one), stdout and stderr combined, with an allowlisted environment ({@link ChildEnvironment}: PATH, HOME, LANG,
 * LC_ALL, TZ and the names the operator passes, the payload's variables, the task's; none of the agent's secrets), in
 * the payload's working directory or else a fresh 0700 directory of its own ({@link TaskDirectory}, removed when the
 * attempt ends, whatever its outcome), as the leader of a new process group ({@link ProcessGroup}), optionally as
 * another account ({@link ExecUser}, {@code exec.user}: the attempt's directory is then that account's and its root
 * 0711). The payload's secret variables ({@link ExecPayload#secretEnv()}) are resolved just before the command starts
 * ({@link SecretResolver}); one that cannot be resolved fails the task at once, naming the variable, not its value.
 *
 * <p>The command reads the task's {@link TaskContext#input()} on stdin (for a follow-up task: its parent's result;
 * otherwise stdin is empty) and finds {@value #ENV_TASK_ID}, {@value #ENV_TASK_ATTEMPT} and, for a follow-up,
 * {@value #ENV_PARENT_ID} in its environment; these three are set last, over the payload's own variables. A command
 * that does not read its stdin is not held up by it.
 *
 * <p>Guarantees: exit code 0 records the last {@value #TAIL_BYTES} bytes of output as the result; any other exit code
 * fails the attempt (retried while attempts remain) with an error naming the exit code and ending with the output's
 * tail. When the task times out, is cancelled, or the agent loses its session or drains (the handler thread is then
 * interrupted), the whole process tree and process group are killed: SIGTERM, then SIGKILL after the kill grace; when
 * the command exits, whatever it left running in its group (a background child) is killed the same way. A payload
 * that is not valid exec JSON fails at once without retry. Not guaranteed: ending processes that put themselves in a
 * session of their own (see {@link ProcessTree}), or anything when the agent itself is killed with SIGKILL (its
 * children then live on, and a task directory stays behind).
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

    /** The running task's id. */
    public static final String ENV_TASK_ID = "HA_TASK_ID";
    /** The attempt number, from 1. */
    public static final String ENV_TASK_ATTEMPT = "HA_TASK_ATTEMPT";
    /** For a follow-up task: the id of the task whose outcome created it (unset otherwise). */
    public static final String ENV_PARENT_ID = "HA_PARENT_ID";

    private final Duration killGrace;
    private final Path workRoot;
    private final List<String> envPass;
    private final SecretResolver secrets;
    private final ExecUser user;

    /**
     * Task directories under {@link TaskDirectory#defaultRoot()}, no extra variables passed.
     *
     * @param killGrace time between SIGTERM and SIGKILL when the process tree is killed
     */
    public ExecHandler(Duration killGrace) {
        this(killGrace, TaskDirectory.defaultRoot(), List.of());
    }

    /**
     * @param killGrace time between SIGTERM and SIGKILL when the process tree is killed
     * @param workRoot  where the per-attempt working directories of payloads without a cwd are made (created 0700
     *                  when missing; must not be writable by other accounts)
     * @param envPass   names of further agent variables passed to commands, on top of {@link ChildEnvironment#INHERITED}
     */
    public ExecHandler(Duration killGrace, Path workRoot, List<String> envPass) {
        this(killGrace, workRoot, envPass, SecretResolver.NONE, null);
    }

    /**
     * @param secrets resolves the payloads' secret variables ({@link SecretResolver#NONE} refuses them all)
     * @param user    the account commands run as, or null for the agent's own
     */
    public ExecHandler(Duration killGrace, Path workRoot, List<String> envPass, SecretResolver secrets,
                       ExecUser user) {
        Preconditions.checkArgument(killGrace != null && !killGrace.isNegative(), "kill grace must not be negative");
        this.killGrace = killGrace;
        this.workRoot = Preconditions.checkNotNull(workRoot, "workRoot");
        this.envPass = List.copyOf(envPass);
        this.secrets = Preconditions.checkNotNull(secrets, "secrets");
        this.user = user;
    }

    @Override
    public byte[] handle(TaskContext context) throws Exception {
        ExecPayload payload;
        try {
            payload = ExecPayload.fromJson(context.taskId(), context.payload());
        } catch (CorruptDataException | IllegalArgumentException e) {
            throw new NonRetryableTaskException("invalid exec payload: " + e.getMessage());
        }
        // Before anything else: a secret that cannot be resolved must not cost a directory or a process.
        Map<String, String> env = new LinkedHashMap<>(payload.env());
        env.putAll(secrets.resolve(payload.secretEnv()));
        if (Thread.interrupted()) {
            throw new InterruptedException("task " + context.taskId() + " was stopped before its command started");
        }
        if (payload.cwd() != null) {
            return run(context, payload, env, new File(payload.cwd()));
        }
        TaskDirectory dir;
        try {
            dir = TaskDirectory.create(workRoot, context.taskId(), context.attempt(), user);
        } catch (IOException e) {
            throw new ExecFailedException("cannot create the working directory of task " + context.taskId() + " under "
                    + workRoot + ": " + e.getMessage());
        }
        // Removed after the group is dead (run returns only then), so no process writes into it while it goes.
        try (dir) {
            return run(context, payload, env, dir.path().toFile());
        }
    }

    private byte[] run(TaskContext context, ExecPayload payload, Map<String, String> payloadEnv, File cwd)
            throws Exception {
        List<String> command = user == null ? payload.command() : user.wrap(payload.command());
        ProcessBuilder pb = new ProcessBuilder(ProcessGroup.wrap(command)).redirectErrorStream(true).directory(cwd);
        Map<String, String> agentEnv = System.getenv();
        if (user != null) {
            agentEnv = new HashMap<>(agentEnv);
            agentEnv.put("HOME", user.home());
        }
        // Built from nothing: the agent's configuration (HA_ZK_AUTH, HA_HTTP_TOKEN, JAVA_TOOL_OPTIONS, ...) is not the
        // command's business, and a task could otherwise print the agent's secrets into its result.
        pb.environment().clear();
        pb.environment().putAll(ChildEnvironment.build(agentEnv, envPass, payloadEnv, context.taskId(),
                context.attempt(), context.parentId()));
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
            int killed = ProcessTree.kill(process.toHandle(), group(process), killGrace);
            LOG.info("task {} stopped (cancelled, drained or session lost): killed its process tree (pid {}, {} "
                    + "process(es))", context.taskId(), process.pid(), killed);
            throw e;
        }
        if (!exited) {
            int killed = ProcessTree.kill(process.toHandle(), group(process), killGrace);
            pump.join(OUTPUT_DRAIN_MS);
            throw new ExecFailedException(describe("timed out after " + payload.timeoutMs() + " ms; killed its process "
                    + "tree (pid " + process.pid() + ", " + killed + " process(es))", tail));
        }
        long pgid = group(process);
        if (pgid > 0 && !ProcessGroup.members(pgid).isEmpty()) {
            int killed = ProcessTree.kill(process.toHandle(), pgid, killGrace);
            LOG.info("task {}: its command exited leaving {} process(es) in its group; killed them", context.taskId(),
                    killed);
        }
        pump.join(OUTPUT_DRAIN_MS);
        int code = process.exitValue();
        if (code != 0) {
            throw new ExecFailedException(describe("exit code " + code, tail));
        }
        return tail.bytes();
    }

    /** The command's process group id, or -1 when it runs in the agent's (see {@link ProcessGroup#wrap}). */
    private static long group(Process process) {
        return ProcessGroup.available() ? process.pid() : -1;
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
