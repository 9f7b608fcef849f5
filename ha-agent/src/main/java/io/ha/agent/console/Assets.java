package io.ha.agent.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The console's static files, from the jar: htmx from its WebJar (the version the build pinned, read from the
 * WebJar's own Maven properties) and the console's stylesheet. Nothing is fetched from elsewhere at run time.
 */
final class Assets {
    /** A file's bytes and content type. */
    record Asset(String contentType, byte[] bytes) {
    }

    private static final String HTMX_POM = "META-INF/maven/org.webjars.npm/htmx.org/pom.properties";
    private final Map<String, Asset> files;

    Assets() {
        ClassLoader loader = Assets.class.getClassLoader();
        String htmx = "META-INF/resources/webjars/htmx.org/" + htmxVersion(loader) + "/dist/htmx.min.js";
        files = Map.of(
                "htmx.min.js", new Asset("text/javascript; charset=utf-8", read(loader, htmx)),
                "console.css", new Asset("text/css; charset=utf-8", read(loader, "io/ha/agent/console/console.css")));
    }

    Optional<Asset> get(String name) {
        return Optional.ofNullable(files.get(name));
    }

    private static String htmxVersion(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(HTMX_POM)) {
            if (in == null) {
                throw new IllegalStateException("the htmx WebJar is not on the class path (" + HTMX_POM + ")");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("console asset missing from the class path: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
