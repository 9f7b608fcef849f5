package io.ha.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ha.core.session.ClusterContext;
import io.ha.core.testing.ArchitectureRules;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ha-core's layering, checked on its compiled main classes (docs/ARCHITECTURE.md draws it): dependencies point
 * downward only, no package cycles, and no main source file over 400 lines.
 */
class ArchitectureTest {
    private static final String[] PUBLIC_API = {"io.ha.core", "io.ha.core.session", "io.ha.core.membership",
        "io.ha.core.leader", "io.ha.core.lock", "io.ha.core.task", "io.ha.core.schedule", "io.ha.core.cluster"};
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.ha.core");
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.ha.core.(**)").namingSlices("$1").should().beFreeOfCycles().check(core);
    }

    @Test
    void dependenciesPointDownward() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("errors").definedBy("io.ha.core")
                .layer("internal").definedBy("io.ha.core.internal..")
                .layer("session").definedBy("io.ha.core.session..")
                .layer("membership").definedBy("io.ha.core.membership..")
                .layer("leader").definedBy("io.ha.core.leader..")
                .layer("lock").definedBy("io.ha.core.lock..")
                .layer("task").definedBy("io.ha.core.task")
                .layer("task.store").definedBy("io.ha.core.task.store..")
                .layer("task.dispatch").definedBy("io.ha.core.task.dispatch..")
                .layer("task.work").definedBy("io.ha.core.task.work..")
                .layer("schedule").definedBy("io.ha.core.schedule..")
                .layer("cluster").definedBy("io.ha.core.cluster..")
                .whereLayer("cluster").mayNotBeAccessedByAnyLayer()
                .whereLayer("schedule").mayOnlyBeAccessedByLayers("cluster")
                .whereLayer("task.dispatch").mayOnlyBeAccessedByLayers("cluster")
                .whereLayer("task.work").mayOnlyBeAccessedByLayers("cluster")
                .whereLayer("task.store").mayOnlyBeAccessedByLayers("task.dispatch", "task.work", "cluster")
                .whereLayer("task").mayOnlyBeAccessedByLayers("task.store", "task.dispatch", "task.work",
                        "schedule", "cluster")
                .whereLayer("lock").mayOnlyBeAccessedByLayers("cluster")
                .whereLayer("leader").mayOnlyBeAccessedByLayers("task", "task.store", "task.dispatch", "task.work",
                        "schedule", "cluster")
                .whereLayer("membership").mayOnlyBeAccessedByLayers("task", "task.store", "task.dispatch",
                        "task.work", "schedule", "cluster")
                .whereLayer("session").mayOnlyBeAccessedByLayers("membership", "leader", "lock", "task",
                        "task.store", "task.dispatch", "task.work", "schedule", "cluster")
                .whereLayer("internal").mayOnlyBeAccessedByLayers("session", "membership", "leader", "lock", "task",
                        "task.store", "task.dispatch", "task.work", "schedule", "cluster")
                .check(core);
    }

    @Test
    void errorsAndNamesDependOnNothingElseOfHa() {
        noClasses().that().resideInAPackage("io.ha.core").should().dependOnClassesThat()
                .resideInAPackage("io.ha.core.(*)..").check(core);
    }

    @Test
    void publicApiMethodsNeitherTakeNorReturnInternalTypes() {
        methods().that().arePublic().and().areDeclaredInClassesThat().arePublic()
                .and().areDeclaredInClassesThat().resideInAnyPackage(PUBLIC_API)
                .and().areDeclaredInClassesThat().doNotHaveFullyQualifiedName(ClusterContext.class.getName())
                .should(ArchitectureRules.notMentionInternalTypes()).check(core);
    }

    @Test
    void mainSourceFilesAreAtMost400Lines() {
        ArchitectureRules.smallSourceFiles(Path.of("src/main/java"), "io.ha.core..").check(core);
    }
}
