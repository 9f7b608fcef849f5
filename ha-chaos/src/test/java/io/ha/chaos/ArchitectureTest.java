package io.ha.chaos;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ha.core.testing.ArchitectureRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The chaos run is built on ha-core's public API only and keeps its source files small. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.ha.chaos");

    @Test
    void chaosRunUsesOnlyThePublicApi() {
        ArchitectureRules.usesOnlyPublicApi("io.ha.chaos..").check(MAIN);
    }

    @Test
    void mainSourceFilesAreAtMost400Lines() {
        ArchitectureRules.smallSourceFiles(Path.of("src/main/java"), "io.ha.chaos..").check(MAIN);
    }
}
