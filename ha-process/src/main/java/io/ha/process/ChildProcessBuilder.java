package io.ha.process;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to start as a {@link ChildProcess}: a java main class (with this JVM's java binary, a class path and JVM
 * options) or a command, its arguments, environment and working directory, and what becomes of its output.
 *
 * <p>Guarantee: {@link #start()} reads the settings as they are at that moment and never changes them, so one builder
 * may start several processes. Not guaranteed: thread safety; configure a builder on one thread.
 */
public final class ChildProcessBuilder {
    /** Lines kept by default: the end of a failing child's output, bounded for children that run for days. */
    public static final int DEFAULT_KEEP_LINES = 2000;

    private final String mainClass;
    private final List<String> command;
    private String name;
    private String classPath = System.getProperty("java.class.path");
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> droppedEnvPrefixes = new ArrayList<>();
    private Path directory;
    private ProcessBuilder.Redirect errorRedirect = ProcessBuilder.Redirect.PIPE;
    private boolean mergeErrors;
    private ChildProcess.LineListener listener;
    private Path copyTo;
    private int keepLines = DEFAULT_KEEP_LINES;

    ChildProcessBuilder(String mainClass, List<String> command) {
        if (mainClass == null) {
            Objects.requireNonNull(command, "command");
            if (command.isEmpty() || command.get(0).isBlank()) {
                throw new IllegalArgumentException("a command needs at least the program");
            }
            this.command = List.copyOf(command);
        } else {
            if (mainClass.isBlank()) {
                throw new IllegalArgumentException("the main class must not be blank");
            }
            this.command = null;
        }
        this.mainClass = mainClass;
    }

    /** Names the process in thread names and messages; default the main class's simple name or the program's. */
    public ChildProcessBuilder name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** The child JVM's class path; default this JVM's {@code java.class.path}. Java children only. */
    public ChildProcessBuilder classPath(String classPath) {
        javaOnly("a class path");
        this.classPath = Objects.requireNonNull(classPath, "classPath");
        return this;
    }

    /** JVM options, in order, before {@code -cp}; added to those given before. Java children only. */
    public ChildProcessBuilder jvmOptions(List<String> options) {
        javaOnly("JVM options");
        jvmOptions.addAll(options);
        return this;
    }

    /** See {@link #jvmOptions(List)}. */
    public ChildProcessBuilder jvmOptions(String... options) {
        return jvmOptions(List.of(options));
    }

    /** Arguments after the main class (or the command); added to those given before. */
    public ChildProcessBuilder args(List<String> arguments) {
        args.addAll(arguments);
        return this;
    }

    /** See {@link #args(List)}. */
    public ChildProcessBuilder args(String... arguments) {
        return args(List.of(arguments));
    }

    /** Sets variables in the child's environment (over inherited ones). */
    public ChildProcessBuilder env(Map<String, String> variables) {
        env.putAll(variables);
        return this;
    }

    /** Sets one variable in the child's environment (over an inherited one). */
    public ChildProcessBuilder env(String variable, String value) {
        env.put(variable, value);
        return this;
    }

    /**
     * Leaves out the inherited variables whose names start with {@code prefix} ({@code HA_}: a user's
     * {@code HA_ZK_CONNECT} must not point a test's or a demo's agent elsewhere); those set with {@link #env} stay.
     */
    public ChildProcessBuilder dropInheritedEnv(String prefix) {
        droppedEnvPrefixes.add(Objects.requireNonNull(prefix, "prefix"));
        return this;
    }

    /** The working directory; default this JVM's. */
    public ChildProcessBuilder directory(Path dir) {
        this.directory = dir;
        return this;
    }

    /**
     * Where standard error goes: {@link ProcessBuilder.Redirect#PIPE} (the default) reads it like standard output;
     * {@code INHERIT} shares this JVM's; {@code appendTo(file)} lets the system write it to a file.
     */
    public ChildProcessBuilder redirectError(ProcessBuilder.Redirect redirect) {
        this.errorRedirect = Objects.requireNonNull(redirect, "redirect");
        this.mergeErrors = false;
        return this;
    }

    /** Standard error into standard output, one stream in the order the child wrote it (all lines are STDOUT). */
    public ChildProcessBuilder mergeErrorIntoOutput() {
        this.mergeErrors = true;
        return this;
    }

    /** Receives every line read, on the reader thread of its stream. */
    public ChildProcessBuilder onLine(ChildProcess.LineListener lineListener) {
        this.listener = lineListener;
        return this;
    }

    /** Appends every line read to {@code file} (created when missing), flushed per line. */
    public ChildProcessBuilder appendOutputTo(Path file) {
        this.copyTo = file;
        return this;
    }

    /** How many of the latest lines are kept for {@link ChildProcess#lines()} and {@link ChildProcess#awaitLine}. */
    public ChildProcessBuilder keepLines(int lines) {
        if (lines < 1) {
            throw new IllegalArgumentException("keep at least one line, got " + lines);
        }
        this.keepLines = lines;
        return this;
    }

    /** The command line {@link #start()} runs. */
    public List<String> commandLine() {
        List<String> line = new ArrayList<>();
        if (mainClass != null) {
            line.add(ChildProcess.javaBinary());
            line.addAll(jvmOptions);
            line.add("-cp");
            line.add(classPath);
            line.add(mainClass);
        } else {
            line.addAll(command);
        }
        line.addAll(args);
        return line;
    }

    /**
     * Starts the process and its reader threads.
     *
     * @throws IOException when the program cannot be started or the copy file cannot be opened (then nothing runs)
     */
    public ChildProcess start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(commandLine());
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        pb.environment().keySet().removeIf(k -> droppedEnvPrefixes.stream().anyMatch(k::startsWith));
        pb.environment().putAll(env);
        if (mergeErrors) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(errorRedirect);
        }
        boolean stderrPiped = !mergeErrors && errorRedirect.type() == ProcessBuilder.Redirect.Type.PIPE;
        // Opened before the start: a copy that cannot be written must not leave a process running unwatched.
        ChildProcess.OutputCopy copy = null;
        if (copyTo != null) {
            Writer out = Files.newBufferedWriter(copyTo, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            copy = new ChildProcess.OutputCopy(copyTo, out);
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            if (copy != null) {
                copy.close();
            }
            throw e;
        }
        return new ChildProcess(name != null ? name : defaultName(), process, stderrPiped, keepLines, copy, listener);
    }

    private String defaultName() {
        if (mainClass != null) {
            return mainClass.substring(mainClass.lastIndexOf('.') + 1);
        }
        return Path.of(command.get(0)).getFileName().toString();
    }

    private void javaOnly(String what) {
        if (mainClass == null) {
            throw new IllegalStateException(what + " applies to java children only, not to a command");
        }
    }
}
