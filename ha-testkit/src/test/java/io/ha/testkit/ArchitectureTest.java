package io.ha.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ha.core.testing.ArchitectureRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The kit stands where a user's test stands: on ha-core's public API only. Its own internals stay out of its public
 * signatures, and no main source file is over 400 lines.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.ha.testkit");

    @Test
    void kitUsesOnlyThePublicApiOfHaCore() {
        ArchitectureRules.usesOnlyPublicApi("io.ha.testkit..").check(MAIN);
    }

    @Test
    void publicMethodsOfTheKitShowNoInternalType() {
        methods().that().arePublic().and().areDeclaredInClassesThat().resideInAPackage("io.ha.testkit")
                .should().haveRawReturnType(com.tngtech.archunit.base.DescribedPredicate.not(
                        com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(
                                "io.ha.testkit.internal..")))
                .check(MAIN);
    }

    @Test
    void mainSourceFilesAreAtMost400Lines() {
        ArchitectureRules.smallSourceFiles(Path.of("src/main/java"), "io.ha.testkit..").check(MAIN);
    }
}
