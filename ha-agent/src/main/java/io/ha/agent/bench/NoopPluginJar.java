package io.ha.agent.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A plug-in jar serving the benchmark's no-op task type ({@value HaFleet#TASK_TYPE}) for real agent processes
 * ({@code io.ha.agent.AgentMain} loads it from its plug-ins directory as any user's plug-in). The agent ignores
 * providers on its own class path, so the provider is compiled here, with this JVM's compiler, into a jar of its
 * own. Guarantee: the jar holds one provider whose handler returns at once with no result. Needs a JDK (javax.tools).
 */
final class NoopPluginJar {
    private static final String CLASS = "BenchNoopProvider";

    private NoopPluginJar() {
    }

    /** Why the jar cannot be made here, or null when it can. */
    static String unavailable() {
        return ToolProvider.getSystemJavaCompiler() == null
                ? "no Java compiler in this JVM (a JDK is needed to build the agents' no-op plug-in)" : null;
    }

    /** Builds the jar in {@code dir} (made 0700, as the agent requires of its plug-ins directory); returns it. */
    static Path build(Path work, Path dir, int concurrency) throws IOException, BenchException {
        Path src = Files.createDirectories(work.resolve("src/benchplugin"));
        Path classes = Files.createDirectories(work.resolve("classes"));
        Path file = src.resolve(CLASS + ".java");
        Files.writeString(file, String.format(Locale.ROOT, """
                package benchplugin;

                public class %s implements io.ha.core.task.TaskHandlerProvider {
                    @Override public String type() { return "%s"; }
                    @Override public int concurrency() { return %d; }
                    @Override public io.ha.core.task.TaskHandler handler() { return ctx -> null; }
                }
                """, CLASS, HaFleet.TASK_TYPE, concurrency), StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new BenchException(unavailable());
        }
        int rc = javac.run(null, null, null, List.of("-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), "--release", "17", "-proc:none", file.toString())
                .toArray(new String[0]));
        if (rc != 0) {
            throw new BenchException("the no-op plug-in did not compile (javac exit " + rc + ")");
        }
        Files.createDirectories(dir);
        Path jar = dir.resolve("bench-noop.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("benchplugin/" + CLASS + ".class"));
            Files.copy(classes.resolve("benchplugin/" + CLASS + ".class"), out);
            out.closeEntry();
            out.putNextEntry(new JarEntry("META-INF/services/io.ha.core.task.TaskHandlerProvider"));
            out.write(("benchplugin." + CLASS + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }
}
