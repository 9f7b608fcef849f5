package io.ha.agent.cli;

import io.ha.core.HaException;
import io.ha.core.NoSuchTaskException;
import io.ha.core.TaskRejectedException;
import io.ha.core.ZooKeeperUnavailableException;
import io.ha.core.cluster.ProcessIdentity;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.zookeeper.KeeperException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ha-ctl}: inspect and steer an HA cluster from a shell, through ZooKeeper alone.
 *
 * <p>Exit codes: 0 success, 1 the operation failed (also: a waited-for task did not succeed), 2 usage or
 * configuration error. Every failure is one line on stderr naming the problem; stdout carries only command output,
 * human tables by default or JSON with {@code --json}. {@link #execute} runs a command line in-process with given
 * streams and environment (for tests and embedding); {@link #main} adds ha-ctl's logging setup and exits.
 */
@Command(name = "ha-ctl", mixinStandardHelpOptions = true, versionProvider = CtlMain.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Inspect and steer an HA cluster through ZooKeeper.",
        footerHeading = "%n",
        footer = {"Durations: 500ms, 30s, 5m, 1h, 1h30m.",
                "Exit codes: 0 success, 1 operation failed, 2 usage or configuration error.",
                "Environment: HA_ZK_CONNECT, HA_CLUSTER_NAME, HA_ZK_AUTH (user:password), HA_ZK_AUTH_FILE, "
                        + "HA_EXEC_SECRET_KEY_FILE (submit --env-secret), HA_CONSOLE_TOKEN (console)."})
public final class CtlMain implements Callable<Integer> {
    /**
     * The commands, in the order the help lists them. Registered by {@link #execute}, not in the annotation: picocli
     * builds the model of every registered command (reflection over its options, the inherited global options
     * copied in) before it parses, about 60 ms of CPU for all of them, so a command line that names a command
     * registers only the commands it names.
     */
    static final List<Class<?>> COMMANDS = List.of(StatusCommand.class, AgentsCommand.class, LeaderCommand.class,
            SubmitCommand.class, GroupCommand.class,
            TaskCommand.class, TasksCommand.class, CancelCommand.class, DrainCommand.class, WaitCommand.class,
            RetryCommand.class, LimitsCommand.class, LimitCommand.class,
            SecureCommand.class, DigestCommand.class, SecretKeyCommand.class,
            WatchCommand.class, ConsoleCommand.class, SchedulesCommand.class, ScheduleCommand.class,
            CommandLine.HelpCommand.class);

    @Mixin
    private GlobalOptions options;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;
    private final InputStream stdin;

    private CtlMain(Map<String, String> env, InputStream stdin) {
        this.env = Map.copyOf(env);
        this.stdin = stdin;
    }

    public static void main(String[] args) {
        Logging.configureQuiet();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = execute(args, out, err, System.in, System.getenv());
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs one ha-ctl command line.
     *
     * @param env the environment to read {@code HA_*} settings from
     * @return the exit code
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err, InputStream stdin,
                              Map<String, String> env) {
        CommandLine cl = new CommandLine(new CtlMain(env, stdin));
        // Before the settings below: picocli hands them to the subcommands registered so far.
        commandsFor(args).forEach(cl::addSubcommand);
        cl.setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Duration.class, new DurationConverter())
                .registerConverter(java.nio.file.Path.class, new PathConverter())
                .setParameterExceptionHandler(CtlMain::usageError)
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> failure(e, commandLine));
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * The commands whose names appear among {@code args} (a value that happens to be a command's name only adds
     * that command), or every command when none does: the usage, the version and a misspelled command's suggestions
     * need them all.
     */
    static List<Class<?>> commandsFor(String[] args) {
        Set<String> words = new HashSet<>(Arrays.asList(args));
        List<Class<?>> named = COMMANDS.stream().filter(c -> words.contains(c.getAnnotation(Command.class).name()))
                .toList();
        return named.isEmpty() ? COMMANDS : named;
    }

    /** {@code ha-ctl} without a command: the usage, as an error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CtlException.USAGE;
    }

    GlobalOptions options() {
        return options;
    }

    Map<String, String> env() {
        return env;
    }

    InputStream stdin() {
        return stdin;
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("ha-ctl: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
        return CtlException.USAGE;
    }

    /** Maps a failure to one line on stderr and an exit code; a stack trace only with --verbose. */
    private static int failure(Exception e, CommandLine cl) {
        PrintWriter err = cl.getErr();
        Throwable t = unwrap(e);
        int code = CtlException.FAILED;
        String message;
        if (t instanceof CtlException c) {
            code = c.exitCode();
            message = c.getMessage();
        } else if (t instanceof ZooKeeperUnavailableException || t instanceof NoSuchTaskException
                || t instanceof TaskRejectedException || t instanceof TimeoutException || t instanceof HaException) {
            message = t.getMessage();
        } else if (t instanceof KeeperException.NoAuthException k) {
            message = "not authorized to access " + (k.getPath() == null ? "the nodes this command changes"
                    : k.getPath()) + " (NoAuth): give the cluster's credentials with " + ClusterConnection.ENV_AUTH
                    + " or --auth-file; in a cluster with roles, an identity of a role that may do this (readers "
                    + "change nothing; submitters submit, cancel, retry, schedule, limit and drain)";
        } else if (t instanceof KeeperException.ConnectionLossException
                || t instanceof KeeperException.SessionExpiredException
                || t instanceof KeeperException.OperationTimeoutException) {
            message = "lost the connection to ZooKeeper (" + ((KeeperException) t).code() + "); try again";
        } else if (t instanceof KeeperException k) {
            message = "ZooKeeper refused the operation: " + k.getMessage();
        } else if (t instanceof IllegalArgumentException) {
            // The library validates what users give it (names, ids, limits): a bad value is a usage error.
            message = t.getMessage();
            code = CtlException.USAGE;
        } else if (t instanceof InterruptedException) {
            message = "interrupted";
            code = 130;
        } else if (t instanceof UncheckedIOException u) {
            message = u.getMessage() + ": " + u.getCause().getMessage();
        } else {
            message = "internal error: " + t + (verbose(cl) ? "" : " (run with --verbose for details)");
        }
        err.println("ha-ctl: " + message);
        if (verbose(cl) && !(t instanceof CtlException)) {
            t.printStackTrace(err);
        }
        return code;
    }

    private static boolean verbose(CommandLine cl) {
        return top(cl).getCommand() instanceof CtlMain main && main.options.verbose;
    }

    /** The ha-ctl command line a subcommand runs under: its global options, environment and stdin. */
    static CtlMain rootOf(CommandLine cl) {
        return (CtlMain) top(cl).getCommand();
    }

    private static CommandLine top(CommandLine cl) {
        CommandLine top = cl;
        while (top.getParent() != null) {
            top = top.getParent();
        }
        return top;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof ExecutionException || cur instanceof java.lang.reflect.InvocationTargetException
                || cur instanceof java.util.concurrent.CompletionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    /** {@code ha-ctl --version}: the build's version (from the jar manifest), "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ha-ctl " + ProcessIdentity.version()};
        }
    }
}
