package io.ha.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ha-testkit-base stays below ha-core: ha-core's own tests use it, so it may not use ha-core nor Curator's client;
 * only its {@code zk} package (real servers for a test, server-side session expiry) uses ZooKeeper and curator-test.
 * Every public type and member of it says what it does in Javadoc, and no main source file is over 400 lines.
 */
class BaseArchitectureTest {
    private static final Path MAIN_SOURCES = Path.of("src/main/java");
    private static final int MAX_LINES = 400;
    private static final Pattern PUBLIC_DECLARATION = Pattern.compile("^\\s*public\\s.*");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.ha.testkit");

    @Test
    void usesNeitherHaCoreNorCuratorsFramework() {
        assertThat(MAIN).as("classes of ha-testkit-base").isNotEmpty();
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.ha.core..")
                .because("ha-core's tests depend on ha-testkit-base (test scope): a dependency on ha-core is a cycle")
                .check(MAIN);
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.curator.framework..",
                        "org.apache.curator.utils..", "org.apache.curator.retry..")
                .because("the base is what tests share below any client: servers and sessions, not Curator's client")
                .check(MAIN);
    }

    @Test
    void onlyTheZkPackageUsesZooKeeper() {
        noClasses().that().resideOutsideOfPackage("io.ha.testkit.zk..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.zookeeper..", "org.apache.curator..")
                .because("the proxy and the ledgers work with any client; only io.ha.testkit.zk starts servers")
                .check(MAIN);
    }

    @Test
    void everyPublicDeclarationHasJavadoc() throws IOException {
        List<String> undocumented = new ArrayList<>();
        for (Path source : mainSources()) {
            List<String> lines = Files.readAllLines(source);
            for (int i = 0; i < lines.size(); i++) {
                if (PUBLIC_DECLARATION.matcher(lines.get(i)).matches() && !documented(lines, i)) {
                    undocumented.add(source + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertThat(undocumented).as("public declarations without Javadoc").isEmpty();
    }

    @Test
    void mainSourceFilesAreAtMost400Lines() throws IOException {
        List<String> long_ = new ArrayList<>();
        for (Path source : mainSources()) {
            long lines = Files.readAllLines(source).size();
            if (lines > MAX_LINES) {
                long_.add(source + ": " + lines + " lines");
            }
        }
        assertThat(long_).as("main source files over %d lines", MAX_LINES).isEmpty();
    }

    /** A Javadoc comment ends just above the declaration, above its annotations; an override inherits its doc. */
    private static boolean documented(List<String> lines, int declaration) {
        int i = declaration - 1;
        while (i >= 0 && lines.get(i).strip().startsWith("@")) {
            if (lines.get(i).strip().equals("@Override")) {
                return true;
            }
            i--;
        }
        return i >= 0 && lines.get(i).strip().endsWith("*/");
    }

    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            List<Path> sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            assertThat(sources).as("main sources under %s", MAIN_SOURCES.toAbsolutePath()).isNotEmpty();
            return sources;
        }
    }
}
