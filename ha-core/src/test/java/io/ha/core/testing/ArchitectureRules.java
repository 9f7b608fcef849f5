package io.ha.core.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture rules every module checks in its build (ha-core, ha-agent, samples), shared so that each module
 * states them the same way. A rule that fails names the offending class and what it touched.
 */
public final class ArchitectureRules {
    /** Longest main source file, in lines; an inner class counts against its file. */
    public static final int MAX_LINES = 400;

    /** ha-core's packages that only ha-core may use: the ZooKeeper choreography behind the public API. */
    public static final String[] INTERNAL_PACKAGES = {
        "io.ha.core.internal..", "io.ha.core.task.store..", "io.ha.core.task.dispatch..", "io.ha.core.task.work.."};

    private ArchitectureRules() {
    }

    /** Classes in {@code packages} use ha-core's public API only: no internal package, no wiring context. */
    public static ArchRule usesOnlyPublicApi(String... packages) {
        return noClasses().that().resideInAnyPackage(packages)
                .should().dependOnClassesThat().resideInAnyPackage(INTERNAL_PACKAGES)
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.ha.core.session.ClusterContext")
                .because("applications see ha-core through its public API; internals may change at any time");
    }

    /** No top-level class of {@code packages} has a source file, under {@code sourceRoot}, over {@link #MAX_LINES}. */
    public static ArchRule smallSourceFiles(Path sourceRoot, String... packages) {
        return classes().that().resideInAnyPackage(packages).and().areTopLevelClasses()
                .should(haveAtMostLines(sourceRoot, MAX_LINES));
    }

    /** A public method whose signature (parameters and return type) uses no type of {@link #INTERNAL_PACKAGES}. */
    public static ArchCondition<JavaMethod> notMentionInternalTypes() {
        DescribedPredicate<JavaClass> internal = JavaClass.Predicates.resideInAnyPackage(INTERNAL_PACKAGES);
        return new ArchCondition<>("neither take nor return a type of ha-core's internal packages") {
            @Override
            public void check(JavaMethod method, ConditionEvents events) {
                List<JavaClass> mentioned = new ArrayList<>(method.getRawParameterTypes());
                mentioned.add(method.getRawReturnType());
                for (JavaClass type : mentioned) {
                    if (internal.test(type)) {
                        events.add(SimpleConditionEvent.violated(method, method.getFullName() + " exposes internal "
                                + type.getName()));
                    }
                }
            }
        };
    }

    private static ArchCondition<JavaClass> haveAtMostLines(Path sourceRoot, int max) {
        return new ArchCondition<>("have a source file of at most " + max + " lines") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                Path source = sourceRoot.resolve(type.getPackageName().replace('.', '/'))
                        .resolve(type.getSimpleName() + ".java");
                if (!Files.exists(source)) {
                    return; // declared in another type's file (a second top-level class): counted with that file
                }
                long lines;
                try (var stream = Files.lines(source)) {
                    lines = stream.count();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (lines > max) {
                    events.add(SimpleConditionEvent.violated(type, type.getName() + " has " + lines + " lines in "
                            + source + " (at most " + max + "): split it"));
                }
            }
        };
    }
}
