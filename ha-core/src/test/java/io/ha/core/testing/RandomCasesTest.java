package io.ha.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a failing case reports, and that a seed given again generates the same cases. */
class RandomCasesTest {
    @AfterEach
    void clearSeed() {
        System.clearProperty(RandomCases.SEED_PROPERTY);
    }

    @Test
    void aFailingCaseNamesTheSeedTheCaseAndTheInput() {
        System.setProperty(RandomCases.SEED_PROPERTY, "42");
        assertThatThrownBy(() -> RandomCases.check(100, g -> "in\0put-" + g.ints(0, 9), in -> {
            throw new IllegalStateException("broken by " + in);
        })).isInstanceOf(AssertionError.class).hasMessageStartingWith("case 1 of 100 failed (seed 42: rerun with "
                + "-Dha.test.seed=42)").hasMessageContaining("input: in\\u0000put-")
                .hasMessageContaining("IllegalStateException").hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void theSameSeedGivesTheSameCases() {
        System.setProperty(RandomCases.SEED_PROPERTY, "-7");
        List<String> first = cases();
        assertThat(cases()).isEqualTo(first).hasSize(50);
        System.clearProperty(RandomCases.SEED_PROPERTY);
        assertThat(cases()).isNotEqualTo(first);
    }

    @Test
    void aLongInputIsShortened() {
        assertThat(RandomCases.shown("x".repeat(5000))).hasSizeLessThan(RandomCases.MAX_SHOWN + 40)
                .endsWith("(5000 characters in all)");
        assertThat(RandomCases.shown(new byte[] {1, -1})).isEqualTo("[1, -1]");
    }

    @Test
    void mutationsDamageACopyOnly() {
        byte[] valid = "{\"id\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RandomCases.check(200, g -> g.mutate(valid, (byte) 0), damaged -> {
            assertThat(valid).asString().isEqualTo("{\"id\":\"x\"}");
            assertThat(damaged).isNotEqualTo(valid);
        });
    }

    private static List<String> cases() {
        List<String> seen = new ArrayList<>();
        RandomCases.check(50, g -> g.text(10) + g.longs(Long.MIN_VALUE, Long.MAX_VALUE) + g.pick("a", "b"),
                seen::add);
        return seen;
    }
}
