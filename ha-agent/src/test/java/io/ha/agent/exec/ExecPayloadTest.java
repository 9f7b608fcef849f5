package io.ha.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The payload's JSON with secret variables, and the one display form that hides every value. */
class ExecPayloadTest {
    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void secretEnvIsOptionalInJsonAndLeftOutWhenEmpty() {
        ExecPayload old = ExecPayload.fromJson("t", json("{\"command\":[\"true\"],\"env\":{\"A\":\"1\"},"
                + "\"cwd\":null,\"timeoutMs\":0,\"fromTheFuture\":1}"));
        assertThat(old.secretEnv()).isEmpty();
        assertThat(new String(old.toJson(), StandardCharsets.UTF_8)).doesNotContain("secretEnv");
        ExecPayload p = new ExecPayload(List.of("true"), Map.of(), null, 0, Map.of("S", "file:s"));
        assertThat(ExecPayload.fromJson("t", p.toJson())).isEqualTo(p);
    }

    @Test
    void aVariableIsEitherPlainOrSecret() {
        assertThatThrownBy(() -> new ExecPayload(List.of("true"), Map.of("X", "1"), null, 0, Map.of("X", "file:x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X").hasMessageNotContaining("1\"");
    }

    @Test
    void maskedShowsNoValue() throws Exception {
        SecretCipher cipher = SecretCipher.generate(java.nio.file.Files.createTempDirectory("key").resolve("k"));
        ExecPayload p = new ExecPayload(List.of("sh", "-c", "run"), Map.of("PLAIN", "plain-value"), "/srv", 5,
                Map.of("F", "file:db", "S", cipher.seal("S", "sealed-value"), "BAD", "file:../x"));
        String shown = new String(p.masked().toJson(), StandardCharsets.UTF_8);
        assertThat(shown).contains("\"PLAIN\":\"***\"", "\"F\":\"(secret: file:db)\"",
                "\"S\":\"(secret: sealed, key " + cipher.keyId() + ")\"", "\"BAD\":\"(secret: invalid reference)\"",
                "\"command\":[\"sh\",\"-c\",\"run\"]", "\"cwd\":\"/srv\"")
                .doesNotContain("plain-value").doesNotContain("v1:");
        assertThat(p.toString()).doesNotContain("plain-value").doesNotContain("v1:");
    }
}
