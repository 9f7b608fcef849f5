package io.ha.agent.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ha.process.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conf/ha-agent.service}, read the way systemd reads it (sections of {@code key=value} lines, comments and
 * repeated keys), carries every hardening directive of the "secure by default" issue for the installed layout; and,
 * where {@code systemd-analyze} is installed, systemd itself accepts the unit. It does not show that the sandbox
 * holds on a host: that needs systemd as PID 1 ({@code systemd-analyze security ha-agent}).
 */
@EnabledOnOs(OS.LINUX)
class ServiceUnitTest {
    private static final Set<String> YES = Set.of("yes", "true", "on", "1");

    private static Path unitFile;

    @TempDir
    Path dir;

    @BeforeAll
    static void findUnit() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.isRegularFile(d.resolve("conf/ha-agent.service"))) {
            d = d.getParent();
        }
        assumeTrue(d != null, "skipped: conf/ha-agent.service not found");
        unitFile = d.resolve("conf/ha-agent.service");
    }

    @Test
    void serviceIsHardenedForTheInstalledLayout() throws IOException {
        Map<String, List<String>> service = parse(Files.readAllLines(unitFile)).get("Service");

        assertThat(one(service, "User")).isEqualTo("ha");
        assertThat(one(service, "ExecStart")).startsWith("/opt/ha/bin/ha-agent ").contains("--config /etc/ha/");
        assertThat(one(service, "ProtectSystem")).isEqualTo("strict");
        for (String key : List.of("ProtectHome", "PrivateDevices", "PrivateTmp", "ProtectKernelTunables",
                "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "RestrictSUIDSGID",
                "NoNewPrivileges")) {
            assertThat(one(service, key)).as(key).isIn(YES);
        }
        assertThat(service.get("CapabilityBoundingSet")).as("CapabilityBoundingSet set, empty").containsExactly("");
        assertThat(one(service, "UMask")).isEqualTo("0077");
        assertThat(one(service, "MemoryMax")).matches("\\d+[KMGT]?");
        assertThat(one(service, "TasksMax")).matches("\\d+");

        List<String> writable = words(service.get("ReadWritePaths"));
        String logDir = environment(service).get("HA_LOG_DIR");
        assertThat(logDir).as("the agent's log.dir, set in the unit").isNotNull();
        assertThat(writable).as("ReadWritePaths").contains(logDir, "/var/lib/ha");
        assertThat(logDir).isEqualTo("/var/log/" + one(service, "LogsDirectory"));
        assertThat(one(service, "WorkingDirectory")).isEqualTo("/var/lib/" + one(service, "StateDirectory"));
        assertThat(writable).noneMatch(p -> p.startsWith("/opt/ha")).noneMatch(p -> p.startsWith("/etc"));
    }

    @Test
    void systemdAcceptsTheUnit() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))
                        || Files.isExecutable(Path.of("/bin/systemd-analyze")),
                "skipped: systemd-analyze is not installed (apt-get install systemd)");
        // verify checks that ExecStart names an executable: a stand-in at the same place under this directory.
        Path prefix = dir.resolve("opt/ha");
        Path launcher = Files.createDirectories(prefix.resolve("bin")).resolve("ha-agent");
        Files.writeString(launcher, "#!/bin/sh\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path unit = dir.resolve("ha-agent.service");
        Files.writeString(unit, Files.readString(unitFile).replace("/opt/ha", prefix.toString()));

        try (ChildProcess verify = ChildProcess.command(List.of("systemd-analyze", "verify", unit.toString()))
                .name("systemd-analyze").directory(dir).start()) {
            OptionalInt code = verify.awaitExit(Duration.ofSeconds(60));
            assertThat(code).as("systemd-analyze verify: %s", verify.lines()).hasValue(0);
            // Keys newer than this host's systemd (RestartSteps, 254+) are ignored with a warning; nothing else.
            assertThat(verify.lines()).as("warnings").allMatch(l -> l.contains("Unknown key 'Restart"));
        }
    }

    /** Sections of a unit file: key to its values in order (a key may repeat), comments and blank lines dropped. */
    static Map<String, Map<String, List<String>>> parse(List<String> lines) {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        StringBuilder pending = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            line = pending.append(line).toString();
            pending.setLength(0);
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            assertThat(eq).as("a key=value line: %s", line).isPositive();
            assertThat(current).as("a section before %s", line).isNotNull();
            current.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return sections;
    }

    private static String one(Map<String, List<String>> section, String key) {
        assertThat(section).as("%s is set", key).containsKey(key);
        List<String> values = section.get(key);
        return values.get(values.size() - 1);
    }

    private static List<String> words(List<String> values) {
        assertThat(values).isNotNull();
        return values.stream().flatMap(v -> Arrays.stream(v.split("\\s+"))).filter(w -> !w.isEmpty())
                .map(w -> w.replaceFirst("^[-+]", "")).toList();
    }

    private static Map<String, String> environment(Map<String, List<String>> section) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String word : words(section.getOrDefault("Environment", List.of()))) {
            int eq = word.indexOf('=');
            env.put(word.substring(0, eq), word.substring(eq + 1));
        }
        return env;
    }
}
