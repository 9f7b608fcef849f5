package io.ha.testkit.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * README.md's test-kit examples (its {@code ```java} blocks that use {@code HaTestKit}) are code that runs:
 * each appears line for line (indentation aside) in {@link FailoverExampleTest}, as samples' ReadmeExamplesTest
 * checks the other blocks against ReadmeExamples.
 */
class ReadmeBlockTest {
    private static final Path README = Path.of("../README.md");
    private static final Path EXAMPLE = Path.of("src/test/java/io/ha/testkit/readme/FailoverExampleTest.java");

    @Test
    void everyTestKitBlockOfTheReadmeRunsInFailoverExampleTest() throws IOException {
        List<String> blocks = javaBlocks(Files.readAllLines(README)).stream()
                .filter(block -> block.contains("HaTestKit")).toList();
        String example = normalized(Files.readAllLines(EXAMPLE));

        assertThat(blocks).as("java blocks of README.md that use HaTestKit").isNotEmpty();
        for (String block : blocks) {
            assertThat(example.contains(block))
                    .as("FailoverExampleTest.java holds this README block verbatim:%n%s", block).isTrue();
        }
    }

    static List<String> javaBlocks(List<String> lines) {
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

    static String normalized(List<String> lines) {
        return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
