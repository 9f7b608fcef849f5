package io.ha.agent.plugin;

import io.ha.agent.config.FileAccess;
import io.ha.core.Names;
import io.ha.core.task.TaskHandler;
import io.ha.core.task.TaskHandlerProvider;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Task handlers contributed by plug-in jars: every {@code *.jar} in the plug-in directory is put on one class loader
 * (child of the agent's), and the {@link TaskHandlerProvider}s they declare ({@code META-INF/services}) are loaded.
 *
 * <p>Guarantee: {@link #load} either returns every provider of the jars, each asked once for its type, concurrency and
 * handler, or throws a {@link PluginException} naming the jar or class at fault; providers found on the agent's own
 * class path are not plug-ins and are ignored. A missing directory means no plug-ins. Plug-ins run inside the agent
 * with its permissions: install only trusted jars. The directory and every jar must be owned by the agent's user (or
 * root) and writable by nobody else, or nothing is loaded ({@link FileAccess#othersCanModify}); parent directories
 * are not checked.
 */
public final class PluginLoader implements Closeable {
    /** One handler contributed by a plug-in. */
    public record Plugin(String type, TaskHandler handler, int concurrency, String source) {
    }

    private final URLClassLoader loader;
    private final List<Plugin> plugins;

    private PluginLoader(URLClassLoader loader, List<Plugin> plugins) {
        this.loader = loader;
        this.plugins = List.copyOf(plugins);
    }

    /**
     * @param dir       the plug-in directory
     * @param reserved  task types already served (the built-in ones); a plug-in naming one is refused
     */
    public static PluginLoader load(Path dir, Set<String> reserved) {
        List<Path> jars = jars(dir);
        if (jars.isEmpty()) {
            return new PluginLoader(null, List.of());
        }
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new PluginException("plug-in jar " + jars.get(i) + " has no valid URL: " + e.getMessage());
            }
        }
        URLClassLoader loader = new URLClassLoader("ha-plugins", urls, PluginLoader.class.getClassLoader());
        try {
            List<Plugin> found = new ArrayList<>();
            List<String> types = new ArrayList<>(reserved);
            ServiceLoader.load(TaskHandlerProvider.class, loader).stream()
                    .filter(p -> p.type().getClassLoader() == loader)
                    .forEach(p -> found.add(instantiate(p, types)));
            return new PluginLoader(loader, found);
        } catch (RuntimeException | Error e) {
            closeQuietly(loader);
            if (e instanceof PluginException pe) {
                throw pe;
            }
            throw new PluginException("cannot load plug-ins from " + dir + ": " + e);
        }
    }

    private static Plugin instantiate(ServiceLoader.Provider<TaskHandlerProvider> p, List<String> types) {
        String source = p.type().getName() + " (" + jarOf(p.type()) + ")";
        TaskHandlerProvider provider;
        String type;
        int concurrency;
        TaskHandler handler;
        try {
            provider = p.get();
            type = provider.type();
            concurrency = provider.concurrency();
            handler = provider.handler();
        } catch (RuntimeException | Error e) {
            throw new PluginException("plug-in " + source + " failed: " + e);
        }
        try {
            Names.validate("task type", type);
        } catch (IllegalArgumentException e) {
            throw new PluginException("plug-in " + source + ": " + e.getMessage());
        }
        if (types.contains(type)) {
            throw new PluginException("plug-in " + source + " serves task type '" + type
                    + "', which is already served (by the agent or another plug-in)");
        }
        if (concurrency < 1 || concurrency > 10_000) {
            throw new PluginException("plug-in " + source + " asks for concurrency " + concurrency
                    + " for task type '" + type + "'; allowed: 1-10000");
        }
        if (handler == null) {
            throw new PluginException("plug-in " + source + " returned no handler for task type '" + type + "'");
        }
        types.add(type);
        return new Plugin(type, handler, concurrency, source);
    }

    private static String jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
        } catch (Exception e) {
            return "unknown jar";
        }
    }

    private static List<Path> jars(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        refuseIfOthersCanModify("plug-in directory", dir);
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.jar")) {
            stream.forEach(jars::add);
        } catch (IOException e) {
            throw new PluginException("cannot list plug-in directory " + dir + ": " + e.getMessage());
        }
        jars.sort(null);
        jars.forEach(jar -> refuseIfOthersCanModify("plug-in jar", jar));
        return jars;
    }

    /** Whoever can change a plug-in can run code as the agent's user: such a directory or jar is not loaded. */
    private static void refuseIfOthersCanModify(String what, Path path) {
        FileAccess.othersCanModify(path).ifPresent(problem -> {
            throw new PluginException(what + " " + path + " " + problem
                    + " (anyone who can change it runs code as the agent's user)");
        });
    }

    /** The loaded plug-ins, in jar order. */
    public List<Plugin> plugins() {
        return plugins;
    }

    @Override
    public void close() {
        if (loader != null) {
            closeQuietly(loader);
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            // Only open jar files are released here; nothing depends on it succeeding.
        }
    }

    /** A plug-in that cannot be used; the agent refuses to start (a missing handler would send tasks to DEAD). */
    public static final class PluginException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public PluginException(String message) {
            super(message);
        }
    }
}
