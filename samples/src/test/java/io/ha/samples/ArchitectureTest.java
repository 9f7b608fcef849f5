package io.ha.samples;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ha.core.testing.ArchitectureRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The samples show ha-core's public API and nothing else: what they do, a user's program can do. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.ha.samples");

    @Test
    void samplesUseOnlyThePublicApi() {
        ArchitectureRules.usesOnlyPublicApi("io.ha.samples..").check(MAIN);
    }

    @Test
    void mainSourceFilesAreAtMost400Lines() {
        ArchitectureRules.smallSourceFiles(Path.of("src/main/java"), "io.ha.samples..").check(MAIN);
    }
}
