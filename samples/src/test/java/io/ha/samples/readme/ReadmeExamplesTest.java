package io.ha.samples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * README.md's Java examples are the ones {@link ReadmeExamples} compiles: every {@code ```java} block of the README
 * appears there line for line (indentation aside), so a README example cannot name an API that does not exist.
 */
class ReadmeExamplesTest {
    private static final Path README = Path.of("../README.md");
    private static final Path EXAMPLES = Path.of("src/main/java/io/ha/samples/readme/ReadmeExamples.java");
    /** The Spring Boot examples, compiled by samples-spring's tests (samples stays free of Spring). */
    private static final Path SPRING_EXAMPLES =
            Path.of("../samples-spring/src/test/java/io/ha/samples/readme/spring/SpringReadmeExamples.java");
    /** The test-kit example, run by ha-testkit's tests (which check it against the README themselves). */
    private static final Path TESTKIT_EXAMPLE =
            Path.of("../ha-testkit/src/test/java/io/ha/testkit/readme/FailoverExampleTest.java");

    @Test
    void everyJavaBlockOfTheReadmeIsCompiledByReadmeExamples() throws IOException {
        List<String> blocks = javaBlocks(Files.readAllLines(README));
        String compiled = normalized(Files.readAllLines(EXAMPLES));
        String spring = normalized(Files.readAllLines(SPRING_EXAMPLES));
        String testkit = normalized(Files.readAllLines(TESTKIT_EXAMPLE));

        assertThat(blocks).as("java blocks in README.md").isNotEmpty();
        for (String block : blocks) {
            assertThat(compiled.contains(block) || spring.contains(block) || testkit.contains(block))
                    .as("ReadmeExamples.java, SpringReadmeExamples.java or FailoverExampleTest.java holds this "
                            + "README block verbatim:\n%s", block).isTrue();
        }
    }

    private static List<String> javaBlocks(List<String> lines) {
        List<String> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : lines) {
            if (current == null && line.trim().equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && line.trim().equals("```")) {
                blocks.add(normalized(current));
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    private static String normalized(List<String> lines) {
        return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
