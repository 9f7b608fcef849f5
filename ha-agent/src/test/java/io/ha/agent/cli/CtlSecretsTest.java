package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.agent.exec.ExecPayload;
import io.ha.agent.exec.SecretCipher;
import io.ha.agent.exec.SecretReference;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --env-secret}, {@code --secret-key-file}, {@code secret-key}, and payload views that show no value. */
class CtlSecretsTest extends CtlTestBase {
    private static final String VALUE = "ctl-Secret-0b1d";

    @TempDir
    Path dir;

    private Path key() throws Exception {
        Path key = dir.resolve("key");
        if (!Files.exists(key)) {
            SecretCipher.generate(key);
        }
        return key;
    }

    @Test
    void secretKeyWritesAnOwnerOnlyKeyAndPrintsItsIdButNeverOverwrites() throws Exception {
        Path file = dir.resolve("new.key");
        String id = ctl("secret-key", file.toString()).exits(0).out().strip();
        assertThat(id).matches("[0-9a-f]{8}").isEqualTo(SecretCipher.load(file).keyId());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ctl("secret-key", file.toString()).exits(2).err()).contains(file.toString())
                .contains("exists already");
        assertThat(SecretCipher.load(file).keyId()).isEqualTo(id);
    }

    @Test
    void sealingNeedsAnOwnerOnlyKeyFile() throws Exception {
        Result none = ctl("submit", "--type", "exec", "--env-secret", "TOKEN=" + VALUE, "--", "true").exits(2);
        assertThat(none.err()).contains("--secret-key-file").contains(SecretSealer.ENV_KEY_FILE)
                .contains("ha-ctl secret-key").doesNotContain(VALUE);
        Path key = key();
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Result exposed = ctl("submit", "--type", "exec", "--secret-key-file", key.toString(), "--env-secret",
                "TOKEN=" + VALUE, "--", "true").exits(2);
        assertThat(exposed.err()).contains(key.toString()).contains("readable by group or others")
                .contains("0644").doesNotContain(VALUE);
        env().put(SecretSealer.ENV_KEY_FILE, key.toString());
        assertThat(ctl("submit", "--type", "exec", "--env-secret", "TOKEN=" + VALUE, "--", "true").exits(2).err())
                .contains(key.toString()).contains("readable by group or others");
    }

    @Test
    void badEnvSecretArgumentsAreUsageErrorsThatDoNotRepeatTheValue() throws Exception {
        String[][] cases = {
                {VALUE, "needs KEY=VALUE"},
                {"=" + VALUE, "without a name"},
                {"1X=" + VALUE, "is not a variable name"},
                {"X=", "empty value"},
                {"X=file:../" + VALUE, "plain file"},
        };
        for (String[] c : cases) {
            Result r = ctl("submit", "--type", "exec", "--secret-key-file", key().toString(), "--env-secret", c[0],
                    "--", "true").exits(2);
            assertThat(r.err()).as(c[0]).contains(c[1]);
            if (!c[0].startsWith("X=file:")) {
                assertThat(r.err()).as(c[0]).doesNotContain(VALUE);
            }
        }
        assertThat(ctl("submit", "--type", "echo", "--env-secret", "X=file:x").exits(2).err())
                .contains("apply only to --type exec");
    }

    @Test
    void storedPayloadHoldsReferencesAndEveryViewMasksValues() throws Exception {
        HaCluster m = member("m");
        Path local = Files.writeString(dir.resolve("token.txt"), VALUE + "\n");
        String keyId = SecretCipher.load(key()).keyId();
        String id = ctl("submit", "--type", "exec", "--secret-key-file", key().toString(), "--env", "PLAIN=visible",
                "--env-secret", "TOKEN=@" + local, "--env-secret", "DB=file:db", "--then", "cat", "--", "true")
                .exits(0).out().strip();
        TaskRecord r = m.taskQueue().get(id).orElseThrow();
        ExecPayload stored = ExecPayload.fromJson(id, r.payload());
        assertThat(stored.secretEnv()).containsEntry("DB", "file:db");
        assertThat(SecretReference.parse(stored.secretEnv().get("TOKEN")).describe()).isEqualTo("sealed, key "
                + keyId);
        assertThat(SecretCipher.load(key()).open("TOKEN",
                (SecretReference.Sealed) SecretReference.parse(stored.secretEnv().get("TOKEN")))).isEqualTo(VALUE);
        assertThat(new String(r.payload(), StandardCharsets.UTF_8)).doesNotContain(VALUE);
        // The --then step carries the same secret references.
        ExecPayload step = ExecPayload.fromJson("step", r.onSuccess().get(0).payload());
        assertThat(step.secretEnv().keySet()).containsExactlyInAnyOrder("TOKEN", "DB");

        String text = ctl("task", id).exits(0).out();
        assertThat(text).contains("\"PLAIN\":\"***\"", "\"DB\":\"(secret: file:db)\"",
                "\"TOKEN\":\"(secret: sealed, key " + keyId + ")\"").doesNotContain("visible").doesNotContain("v1:");
        JsonNode json = ctl("task", id, "--json").exits(0).json();
        String shown = json.get("payload").get("text").asText();
        assertThat(shown).contains("\"PLAIN\":\"***\"").doesNotContain("visible").doesNotContain("v1:");
        assertThat(ctl("tasks").exits(0).out()).doesNotContain("visible");
    }

    @Test
    void batchLinesTakeSecretEnvToo() throws Exception {
        HaCluster m = member("m");
        Path batch = Files.writeString(dir.resolve("b.jsonl"), "{\"type\":\"exec\",\"command\":[\"true\"],"
                + "\"secretEnv\":{\"S\":\"" + VALUE + "\",\"F\":\"file:f\"}}\n");
        String id = ctl("submit", "--batch", batch.toString(), "--secret-key-file", key().toString()).exits(0).out()
                .strip();
        ExecPayload p = ExecPayload.fromJson(id, m.taskQueue().get(id).orElseThrow().payload());
        assertThat(p.secretEnv()).containsEntry("F", "file:f");
        assertThat(p.secretEnv().get("S")).startsWith("v1:").doesNotContain(VALUE);
        Result noKey = ctl("submit", "--batch", batch.toString()).exits(2);
        assertThat(noKey.err()).contains("line 1").contains("'secretEnv' S").contains("--secret-key-file")
                .doesNotContain(VALUE);
    }
}
