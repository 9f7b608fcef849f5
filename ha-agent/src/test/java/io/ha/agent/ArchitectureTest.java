package io.ha.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ha.core.testing.ArchitectureRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The agent is built on ha-core's public API only, and it and its process helper keep their source files small. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.ha.agent");
    private static final JavaClasses TESTS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS).importPackages("io.ha.agent");

    @Test
    void agentUsesOnlyThePublicApi() {
        ArchitectureRules.usesOnlyPublicApi("io.ha.agent..").check(MAIN);
    }

    @Test
    void agentTestsUseOnlyThePublicApi() {
        ArchitectureRules.usesOnlyPublicApi("io.ha.agent..").check(TESTS);
    }

    @Test
    void mainSourceFilesAreAtMost400Lines() {
        ArchitectureRules.smallSourceFiles(Path.of("src/main/java"), "io.ha.agent..").check(MAIN);
    }

    @Test
    void processHelperSourceFilesAreAtMost400Lines() {
        JavaClasses process = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.ha.process");
        ArchitectureRules.smallSourceFiles(Path.of("../ha-process/src/main/java"), "io.ha.process..")
                .check(process);
    }
}
