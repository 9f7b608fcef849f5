package io.ha.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.ha.agent.config.ConfigException;
import io.ha.agent.testing.FakeTaskContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** exec.user: only root may switch, the account must exist, and the command really runs as it. */
@Timeout(60)
class ExecUserTest {
    @TempDir
    Path dir;

    @Test
    void onlyRootMaySwitchAccounts() {
        assertThat(ExecUser.refusal(null, 1000)).isEmpty();
        assertThat(ExecUser.refusal("", 1000)).isEmpty();
        assertThat(ExecUser.refusal("nobody", 0)).isEmpty();
        assertThat(ExecUser.refusal("nobody", 1000)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("exec.user=nobody").contains("root").contains("uid 1000"));
    }

    @Test
    void unknownAccountIsRefusedNamingTheKeyAndTheUser() {
        assumeThat(ExecUser.agentUid()).isZero();
        assertThatThrownBy(() -> ExecUser.resolve("no-such-user-ha")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("exec.user=no-such-user-ha").hasMessageContaining("no such user");
    }

    @Test
    void commandRunsAsTheAccountInItsOwnDirectory() throws Exception {
        assumeThat(ExecUser.agentUid()).isZero();
        ExecUser nobody = ExecUser.resolve("nobody");
        assertThat(nobody.uid()).isEqualTo(65534);
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rootOnly = Files.writeString(open.resolve("root-only"), "root's");
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rw-------"));
        Path work = dir.resolve("work");
        ExecHandler handler = new ExecHandler(Duration.ofMillis(500), work, List.of(), SecretResolver.NONE, nobody);
        ExecPayload p = new ExecPayload(List.of("sh", "-c", "id -u; echo \"$HOME\"; stat -c %u .; touch mine && "
                + "echo wrote; cat " + rootOnly + " 2>&1 || echo denied"), Map.of(), null, 0);
        String[] out = new String(handler.handle(FakeTaskContext.of("t-1", ExecPayload.TYPE, p.toJson())),
                StandardCharsets.UTF_8).split("\n");
        assertThat(out[0]).isEqualTo("65534");
        assertThat(out[1]).isEqualTo(nobody.home());
        assertThat(out[2]).isEqualTo("65534");
        assertThat(out[3]).isEqualTo("wrote");
        assertThat(out).contains("denied").doesNotContain("root's");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(work))).isEqualTo("rwx--x--x");
    }
}
