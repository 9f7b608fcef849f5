package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.agent.view.Text;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TextAndTableTest {
    @Test
    void durationsAreShortAndReadable() {
        assertThat(Text.duration(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Text.duration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Text.duration(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(Text.duration(Duration.ofSeconds(192))).isEqualTo("3m12s");
        assertThat(Text.duration(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Text.duration(Duration.ofMinutes(125))).isEqualTo("2h5m");
        assertThat(Text.duration(Duration.ofHours(76))).isEqualTo("3d4h");
    }

    @Test
    void printableIsValidUtf8WithoutTerminalControls() {
        assertThat(Text.printable("héllo\n\tworld\r\n".getBytes(StandardCharsets.UTF_8))).isPresent();
        assertThat(Text.printable(new byte[0])).contains("");
        assertThat(Text.printable(new byte[] {(byte) 0xc3, 0x28})).isEmpty();
        assertThat(Text.printable("red \033[31m".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(Text.printable(new byte[] {0})).isEmpty();
    }

    @Test
    void tableAlignsColumnsAndNeutralizesControlCharacters() {
        Table t = new Table("ID", "STATE", "NOTE").limit(2, 10);
        t.row("a", "RUNNING", "line1\nline2 and more");
        t.row("long-id", null, "bell\007");
        assertThat(t.lines()).containsExactly(
                "ID        STATE     NOTE",
                "a         RUNNING   line1\\n...",
                "long-id   -         bell?");
    }
}
