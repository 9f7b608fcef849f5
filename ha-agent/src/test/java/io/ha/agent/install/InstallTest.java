package io.ha.agent.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ha.process.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ha-install} and the launchers of the copy it makes, as real processes: the copy holds no sources, is
 * not writable by group or others, and its launchers never run Maven, even with a {@code pom.xml} and sources planted
 * beside them and a {@code mvn} first on the PATH (the attack: a task that can write there gets its code compiled
 * and run by the next start). ha-install reuses the jars Maven built when they are newer than the sources; when they
 * are not (this module's tests run before its jar is packaged), it builds once, offline ({@code --offline}) when
 * the local repository already holds maven-dependency-plugin (the one plugin of the package phase that a fresh
 * {@code mvn verify} has not used yet when these tests run), else online.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(900)
class InstallTest {
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private static Path checkout;

    @TempDir
    Path dir;

    @BeforeAll
    static void findCheckout() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.isRegularFile(d.resolve("bin/ha-install"))) {
            d = d.getParent();
        }
        assumeTrue(d != null, "skipped: bin/ha-install not found above " + Path.of("").toAbsolutePath());
        checkout = d;
    }

    @Test
    void installedLaunchersNeverBuildEvenWithPlantedSourcesAndMvnOnPath() throws Exception {
        Path prefix = dir.resolve("opt/ha");
        install(prefix).exits(0);
        assertThat(run(prefix.resolve("bin/ha-ctl"), Map.of(), "--version").exits(0).out())
                .startsWith("ha-ctl ");

        Files.writeString(prefix.resolve("pom.xml"), "<project><modelVersion>4.0.0</modelVersion></project>\n");
        Path evil = prefix.resolve("ha-agent/src/main/java/Evil.java");
        Files.createDirectories(evil.getParent());
        Files.writeString(evil, "public class Evil { static { System.exit(42); } }\n");
        Path marker = dir.resolve("mvn-ran");
        Map<String, String> env = Map.of("PATH", fakeMvn(marker) + ":" + System.getenv("PATH"));

        Result version = run(prefix.resolve("bin/ha-ctl"), env, "--version").exits(0);
        assertThat(version.out()).startsWith("ha-ctl ");
        assertThat(version.err()).isEmpty();
        // The same through a symbolic link elsewhere (/usr/local/bin/ha-ctl): the launcher still finds its home.
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("usr-local-bin")).resolve("ha-ctl"),
                prefix.resolve("bin/ha-ctl"));
        assertThat(run(link, env, "--version").exits(0).out()).isEqualTo(version.out());
        try (ChildProcess zk = ChildProcess.command(List.of(prefix.resolve("bin/ha-zk").toString(), "--port", "0",
                        "--data-dir", dir.resolve("zk").toString()))
                .name("ha-zk").dropInheritedEnv("HA_").env(env).directory(dir).start()) {
            zk.awaitLine(Pattern.compile("HA-ZK READY 127\\.0\\.0\\.1:\\d+"), RUN_TIMEOUT);
            zk.terminate();
            assertThat(zk.awaitExit(Duration.ofSeconds(20))).hasValue(0);
        }

        assertThat(marker).as("the fake mvn was run").doesNotExist();
        assertThat(prefix.resolve("ha-agent/target")).as("nothing was compiled").doesNotExist();
    }

    @Test
    void installIsSourceFreeRootOwnedAndNotWritableByOthers() throws Exception {
        Path prefix = dir.resolve("ha");
        Result result = install(prefix).exits(0);
        assertThat(result.out()).contains("installed HA", prefix.toString(), "Next steps", "ha-agent.service");

        assertThat(prefix.resolve("lib/INSTALLED")).content().contains("version=");
        assertThat(prefix.resolve("bin/lib/launcher.sh")).isRegularFile();
        for (String jar : List.of("ha-core.jar", "ha-process.jar", "ha-agent.jar", "samples.jar")) {
            assertThat(prefix.resolve("lib").resolve(jar)).isRegularFile();
        }
        assertThat(prefix.resolve("lib")).isDirectoryContaining("glob:**/curator-framework-*.jar");
        assertThat(prefix.resolve("conf/ha-agent.properties")).hasSameTextualContentAs(
                checkout.resolve("conf/ha-agent.properties"));
        assertThat(prefix.resolve("bin/ha-install")).as("an installed copy cannot install").doesNotExist();
        assertThat(prefix.resolve("plugins")).as("plugins.dir, root's like the rest").isEmptyDirectory();

        boolean root = "root".equals(System.getProperty("user.name"));
        try (Stream<Path> all = Files.walk(prefix)) {
            for (Path p : all.toList()) {
                assertThat(p.getFileName().toString()).as(p.toString())
                        .doesNotEndWith(".java").isNotEqualTo("pom.xml").isNotEqualTo("src");
                var perms = Files.getPosixFilePermissions(p);
                assertThat(perms).as("%s is %s", p, PosixFilePermissions.toString(perms))
                        .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
                if (Files.isDirectory(p)) {
                    assertThat(PosixFilePermissions.toString(perms)).as(p.toString()).isEqualTo("rwxr-xr-x");
                }
                if (root) {
                    assertThat(Files.getOwner(p).getName()).as(p.toString()).isEqualTo("root");
                }
            }
        }
    }

    @Test
    void reinstallUpgradesJarsAndKeepsAModifiedConfig() throws Exception {
        Path prefix = dir.resolve("ha");
        install(prefix).exits(0);
        Path conf = prefix.resolve("conf/ha-agent.properties");
        String mine = Files.readString(conf) + "cluster.name=operators-choice\n";
        Files.writeString(conf, mine);
        Path stale = prefix.resolve("lib/old-dependency-0.9.jar");
        Files.write(stale, new byte[] {'P', 'K'});
        Files.delete(prefix.resolve("lib/ha-agent.jar"));

        Result again = install(prefix).exits(0);

        assertThat(again.out()).contains("conf/ha-agent.properties: kept yours");
        assertThat(conf).content().isEqualTo(mine);
        assertThat(prefix.resolve("conf/ha-agent.properties.new")).hasSameTextualContentAs(
                checkout.resolve("conf/ha-agent.properties"));
        assertThat(stale).as("lib/ is replaced as a whole").doesNotExist();
        assertThat(prefix.resolve("lib/ha-agent.jar")).isRegularFile();
        assertThat(prefix).isDirectoryNotContaining("glob:**/.lib*");
        run(prefix.resolve("bin/ha-ctl"), Map.of(), "--version").exits(0);
    }

    @Test
    void refusesAPrefixInsideTheCheckout() throws Exception {
        Path inside = checkout.resolve("ha-agent/target/install-test-" + ProcessHandle.current().pid());
        Result result = install(inside).exits(2);
        assertThat(result.err()).contains("refused", "inside the source checkout");
        assertThat(inside).doesNotExist();
    }

    @Test
    void refusesAForeignNonEmptyDirectory() throws Exception {
        Path foreign = dir.resolve("srv");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("data.txt"), "not HA's\n");
        Result result = install(foreign).exits(2);
        assertThat(result.err()).contains("refused", "not empty and is not an HA installation");
        try (Stream<Path> files = Files.list(foreign)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("data.txt");
        }
    }

    private Result install(Path prefix) throws Exception {
        List<String> command = new ArrayList<>(List.of(checkout.resolve("bin/ha-install").toString()));
        if (offlineBuildPossible()) {
            command.add("--offline");
        }
        command.add(prefix.toString());
        return exec(command, Map.of(), INSTALL_TIMEOUT);
    }

    /** Whether the local repository holds the maven-dependency-plugin version the parent pom names. */
    private static boolean offlineBuildPossible() throws IOException {
        Matcher m = Pattern.compile("<artifactId>maven-dependency-plugin</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(checkout.resolve("pom.xml")));
        String repo = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        return m.find() && Files.isRegularFile(Path.of(repo, "org/apache/maven/plugins/maven-dependency-plugin",
                m.group(1), "maven-dependency-plugin-" + m.group(1) + ".jar"));
    }

    private Result run(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        return exec(command, env, RUN_TIMEOUT);
    }

    private Result exec(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
        try (ChildProcess p = ChildProcess.command(command).name(command.get(0)).dropInheritedEnv("HA_").env(env)
                .directory(dir).keepLines(20_000).start()) {
            OptionalInt code = p.awaitExit(timeout);
            assertThat(code).as("%s ended within %s; output: %s", command, timeout, p.lines()).isPresent();
            return new Result(String.join(" ", command), code.getAsInt(), lines(p.stdout()), lines(p.stderr()));
        }
    }

    private static String lines(List<String> lines) {
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    /** A directory holding an executable {@code mvn} that only records that it ran. */
    private Path fakeMvn(Path marker) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("fake-bin"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\necho \"$@\" >> '" + marker + "'\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private record Result(String command, int code, String out, String err) {
        Result exits(int expected) {
            assertThat(code).as("exit code of %s%nstdout: %s%nstderr: %s", command, out, err).isEqualTo(expected);
            return this;
        }
    }
}
