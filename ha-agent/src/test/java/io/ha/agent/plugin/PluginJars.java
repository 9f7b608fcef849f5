package io.ha.agent.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Real plug-in jars for tests: provider sources compiled with javax.tools, jarred with their service file. */
public final class PluginJars {
    private PluginJars() {
    }

    /**
     * A provider class {@code plugin.<className>} serving {@code type} with {@code concurrency}; its handler returns
     * the payload in upper case, or throws when the payload is {@code fail}.
     */
    public static String providerSource(String className, String type, int concurrency) {
        return """
                package plugin;

                import io.ha.core.task.TaskHandler;
                import io.ha.core.task.TaskHandlerProvider;
                import java.nio.charset.StandardCharsets;

                public class %s implements TaskHandlerProvider {
                    @Override public String type() { return "%s"; }
                    @Override public int concurrency() { return %d; }
                    @Override public TaskHandler handler() {
                        return ctx -> {
                            String in = ctx.payloadAsString();
                            if (in.equals("fail")) { throw new IllegalStateException("asked to fail"); }
                            return in.toUpperCase().getBytes(StandardCharsets.UTF_8);
                        };
                    }
                }
                """.formatted(className, type, concurrency);
    }

    /** Compiles {@code sources} (class simple name to source, package {@code plugin}) into {@code jar}. */
    public static Path build(Path work, Path jar, java.util.Map<String, String> sources) throws IOException {
        Path src = Files.createDirectories(work.resolve("src/plugin"));
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), "--release", "17", "-proc:none"));
        for (var e : sources.entrySet()) {
            Path file = src.resolve(e.getKey() + ".java");
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, args.toArray(new String[0]));
        if (rc != 0) {
            throw new IllegalStateException("plug-in sources did not compile (javac exit " + rc + ")");
        }
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/io.ha.core.task.TaskHandlerProvider"));
            OutputStream o = out;
            for (String name : sources.keySet()) {
                o.write(("plugin." + name + "\n").getBytes(StandardCharsets.UTF_8));
            }
            out.closeEntry();
        }
        return jar;
    }
}
