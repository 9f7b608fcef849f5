package io.ha.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README.md's Samples table names every sample of {@code bin/ha-sample}, in its order, with the command to run it. */
class ReadmeSamplesTableTest {
    private static final Path README = Path.of("../README.md");

    @Test
    void theReadmeTableListsEverySampleWithItsCommand() throws Exception {
        List<String> lines = Files.readAllLines(README);
        int section = lines.indexOf("## Samples");
        assertThat(section).as("a '## Samples' section in README.md").isNotNegative();
        List<String[]> rows = lines.subList(section, lines.size()).stream()
                .dropWhile(l -> !l.startsWith("| sample |")).skip(2).takeWhile(l -> l.startsWith("|"))
                .map(l -> l.split("\\|")).toList();

        List<String> names = rows.stream().map(r -> r[1].trim().replace("`", "")).toList();
        assertThat(names).containsExactlyElementsOf(SampleCatalog.ALL.stream().map(Sample::name).toList());
        for (String[] row : rows) {
            String name = row[1].trim().replace("`", "");
            assertThat(row[3].trim()).as("the command of %s", name).isEqualTo("`bin/ha-sample " + name + "`");
            assertThat(row[2].trim()).as("the problem %s solves", name).isNotEmpty();
        }
    }
}
