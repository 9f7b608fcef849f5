package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextAndTableTest {
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
