package io.ha.agent.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.agent.testing.FakeTaskContext;
import io.ha.core.task.TaskContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLoaderTest {
    @TempDir
    Path dir;

    private static TaskContext payload(String text) {
        return FakeTaskContext.of("t-1", "upper", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void loadsProvidersFromJarsInTheDirectory() throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginJars.build(dir.resolve("work"), plugins.resolve("upper.jar"),
                Map.of("UpperProvider", PluginJars.providerSource("UpperProvider", "upper", 3)));
        Files.writeString(plugins.resolve("README.txt"), "not a jar");

        try (PluginLoader loader = PluginLoader.load(plugins, Set.of("exec"))) {
            assertThat(loader.plugins()).hasSize(1);
            PluginLoader.Plugin p = loader.plugins().get(0);
            assertThat(p.type()).isEqualTo("upper");
            assertThat(p.concurrency()).isEqualTo(3);
            assertThat(p.source()).contains("plugin.UpperProvider").contains("upper.jar");
            assertThat(new String(p.handler().handle(payload("abc")), StandardCharsets.UTF_8)).isEqualTo("ABC");
        }
    }

    @Test
    void pluginDirectoryOrJarWritableByOthersIsRefused() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path jar = plugins.resolve("upper.jar");
        PluginJars.build(dir.resolve("work"), jar,
                Map.of("UpperProvider", PluginJars.providerSource("UpperProvider", "upper", 1)));
        Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> PluginLoader.load(plugins, Set.of()))
                .isInstanceOf(PluginLoader.PluginException.class)
                .hasMessageContaining("plug-in directory " + plugins).hasMessageContaining("0777, rwxrwxrwx");

        Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-rw-r--"));
        assertThatThrownBy(() -> PluginLoader.load(plugins, Set.of()))
                .isInstanceOf(PluginLoader.PluginException.class)
                .hasMessageContaining("plug-in jar " + jar).hasMessageContaining("0664");

        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        try (PluginLoader loader = PluginLoader.load(plugins, Set.of())) {
            assertThat(loader.plugins()).extracting(PluginLoader.Plugin::type).containsExactly("upper");
        }
    }

    @Test
    void pluginJarOwnedByAnotherUserIsRefused() throws Exception {
        // Only root can give a file away; as anyone else this check is left to the mode test above.
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        Path plugins = dir.resolve("plugins");
        Path jar = plugins.resolve("upper.jar");
        PluginJars.build(dir.resolve("work"), jar,
                Map.of("UpperProvider", PluginJars.providerSource("UpperProvider", "upper", 1)));
        Files.setOwner(jar, jar.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThatThrownBy(() -> PluginLoader.load(plugins, Set.of()))
                .isInstanceOf(PluginLoader.PluginException.class)
                .hasMessageContaining("plug-in jar " + jar).hasMessageContaining("owned by nobody");
    }

    @Test
    void missingDirectoryMeansNoPlugins() {
        try (PluginLoader loader = PluginLoader.load(dir.resolve("nothing-here"), Set.of())) {
            assertThat(loader.plugins()).isEmpty();
        }
    }

    @Test
    void pluginClaimingABuiltInTypeIsRefused() throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginJars.build(dir.resolve("work"), plugins.resolve("evil.jar"),
                Map.of("ExecProvider", PluginJars.providerSource("ExecProvider", "exec", 1)));
        assertThatThrownBy(() -> PluginLoader.load(plugins, Set.of("exec")))
                .isInstanceOf(PluginLoader.PluginException.class)
                .hasMessageContaining("plugin.ExecProvider").hasMessageContaining("evil.jar")
                .hasMessageContaining("'exec'");
    }

    @Test
    void pluginWithBadConcurrencyIsRefused() throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginJars.build(dir.resolve("work"), plugins.resolve("greedy.jar"),
                Map.of("Greedy", PluginJars.providerSource("Greedy", "greedy", 0)));
        assertThatThrownBy(() -> PluginLoader.load(plugins, Set.of()))
                .isInstanceOf(PluginLoader.PluginException.class).hasMessageContaining("concurrency 0");
    }

    @Test
    void unloadableServiceEntryIsRefusedNamingIt() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path jar = plugins.resolve("broken.jar");
        Files.createDirectories(plugins);
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("META-INF/services/io.ha.core.task.TaskHandlerProvider"));
            out.write("plugin.DoesNotExist\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        assertThatThrownBy(() -> PluginLoader.load(plugins, Set.of()))
                .isInstanceOf(PluginLoader.PluginException.class).hasMessageContaining("plugin.DoesNotExist");
    }
}
