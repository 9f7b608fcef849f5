package io.ha.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.testing.RandomCases;
import io.ha.core.testing.RandomCases.Gen;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ConfigLoader} against random properties files, keys, values, {@code HA_*} environment variables and
 * {@code --set} flags: it either loads a configuration or throws a {@link ConfigException} whose message names the
 * offending key or file, never another exception (the agent would print a stack trace instead of a line an
 * operator can act on), and never shows a secret's value. Cases come from {@link RandomCases} (a failure names its
 * seed).
 */
class ConfigLoaderPropertyTest {
    /** Markers that stand for secret values: a message that contains one shows a secret. */
    private static final String AUTH_SECRET = "pw-Zq8vX3rT0pSecret";
    private static final String TOKEN_SECRET = "tok-7Hn2Lq9WsUpperSecret";

    private static Path dir;

    /** One input: the file's lines (or raw bytes), the environment and the flags. */
    record Input(String fileText, byte[] fileBytes, Map<String, String> env, Map<String, String> flags) {
        @Override
        public String toString() {
            return "file=" + (fileBytes != null ? Arrays.toString(fileBytes) : fileText) + " env=" + env
                    + " flags=" + flags;
        }
    }

    @BeforeAll
    static void files() throws IOException {
        dir = Files.createTempDirectory("config-props");
        secret("auth-ok", "agent:" + AUTH_SECRET, "rw-------");
        secret("auth-open", "agent:" + AUTH_SECRET, "rw-r--r--");
        secret("auth-bad", AUTH_SECRET, "rw-------");
        secret("token-ok", TOKEN_SECRET, "rw-------");
        secret("token-short", "tok", "rw-------");
        secret("empty", "", "rw-------");
        Files.createDirectories(dir.resolve("a-dir"));
    }

    private static void secret(String name, String content, String mode) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void loadsOrFailsWithAConfigExceptionNamingTheKey() {
        RandomCases.check(1000, ConfigLoaderPropertyTest::input, input -> {
            Path file = dir.resolve("agent.properties");
            if (input.fileBytes() != null) {
                Files.write(file, input.fileBytes());
            } else {
                Files.writeString(file, input.fileText(), StandardCharsets.UTF_8);
            }
            try {
                new ConfigLoader(input.env(), dir).load(file, true, input.flags());
            } catch (ConfigException e) {
                assertThat(e.getMessage()).isNotBlank().doesNotContain(AUTH_SECRET).doesNotContain(TOKEN_SECRET);
                assertThat(namesWhatWasGiven(e.getMessage(), input, file))
                        .as("'%s' names a key, variable or file that was given", e.getMessage()).isTrue();
            }
        });
    }

    @Test
    void aPathWithANulCharacterIsAConfigExceptionNamingTheKey() {
        for (String key : List.of("plugins.dir", "log.dir", "zk.auth.file", "http.token.file", "zk.tls.truststore")) {
            Map<String, String> flags = new LinkedHashMap<>();
            flags.put(key, "bad\0path");
            if (key.startsWith("zk.tls")) {
                flags.put("zk.tls.enabled", "true");
            }
            assertThatThrownBy(() -> new ConfigLoader(Map.of(), dir).load(null, false, flags)).as(key)
                    .isInstanceOf(ConfigException.class).hasMessageContaining(key);
        }
    }

    @Test
    void aSecretFileThatIsADirectoryIsAConfigExceptionNamingTheKey() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of("HA_ZK_AUTH_FILE", "a-dir"), dir).load(null, false,
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("zk.auth");
    }

    @Test
    void aBadSecretFileIsNamedByItsOwnKeyAndPathNeverByItsContent() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of("HA_ZK_AUTH_FILE", "auth-bad"), dir).load(null, false,
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("'zk.auth.file'")
                .hasMessageContaining("HA_ZK_AUTH_FILE").hasMessageContaining(dir.resolve("auth-bad").toString())
                .hasMessageContaining("user:password").message().doesNotContain(AUTH_SECRET);
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), dir).load(null, false,
                Map.of("http.token.file", "token-short"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'http.token.file'").hasMessageContaining(dir.resolve("token-short").toString())
                .message().doesNotContain("tok'");
    }

    private static boolean namesWhatWasGiven(String message, Input input, Path file) {
        List<String> given = new ArrayList<>();
        given.add(file.toString());
        given.addAll(input.flags().keySet());
        input.env().forEach((name, value) -> {
            given.add(name);
            ConfigKey.byEnvName(name).ifPresent(k -> given.add(k.key()));
        });
        // A key set in the file: any key name in the message together with the file would do, and the file names
        // itself above; a key of the file is named by its key only when it is a ConfigKey.
        Arrays.stream(ConfigKey.values()).map(ConfigKey::key).filter(k -> input.fileText() != null
                && input.fileText().contains(k)).forEach(given::add);
        return given.stream().filter(g -> !g.isEmpty()).anyMatch(message::contains);
    }

    private static Input input(Gen g) {
        return new Input(g.chance(0.5) ? propertiesText(entries(g, false)) : g.string("=:\\ \n#!uabc.z0\t", 0, 30),
                g.orNull(0.8, () -> g.bytes(40)), entries(g, true), entries(g, false));
    }

    /** Up to four keys (or, for the environment, up to three variables) with values, a secret now and then. */
    private static Map<String, String> entries(Gen g, boolean env) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = g.ints(0, env ? 3 : 4); i > 0; i--) {
            if (g.weighted(6, 1) == 0) {
                m.put(env ? envName(g) : key(g), value(g));
            } else {
                Map.Entry<String, String> secret = secret(g);
                m.put(env ? ConfigKey.byKey(secret.getKey()).orElseThrow().envName() : secret.getKey(),
                        secret.getValue());
            }
        }
        return m;
    }

    /** Secret values go to the secret keys only: another key may show its value, whatever it looks like. */
    private static Map.Entry<String, String> secret(Gen g) {
        return g.pick(Map.entry("zk.auth", "agent:" + AUTH_SECRET), Map.entry("zk.auth", AUTH_SECRET),
                Map.entry("http.token", TOKEN_SECRET), Map.entry("http.token", TOKEN_SECRET + " x"),
                Map.entry("http.token", "\0" + TOKEN_SECRET));
    }

    private static String propertiesText(Map<String, String> entries) {
        StringBuilder out = new StringBuilder();
        entries.forEach((k, v) -> out.append(escape(k)).append('=').append(escape(v)).append('\n'));
        return out.toString();
    }

    /** As {@link java.util.Properties#store} writes a key or value. */
    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\\', '=', ':', '#', '!', ' ' -> out.append('\\').append(c);
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static String key(Gen g) {
        return g.weighted(8, 1) == 0 ? g.pick(ConfigKey.values()).key() : g.string("abcz.-_", 1, 12);
    }

    private static String envName(Gen g) {
        return g.weighted(8, 1) == 0 ? g.pick(ConfigKey.values()).envName() : "HA_" + g.string("ABCZ_", 0, 8);
    }

    /** Values of every kind a key might be given: good and bad numbers, durations, paths, names and secrets. */
    private static String value(Gen g) {
        return switch (g.weighted(6, 2, 2, 1)) {
            case 0 -> g.pick("", " ", "true", "false", "TRUE", "yes", "0", "1", "-1", "65535",
                    "65536", "4097", "99999999999", "15s", "100ms", "1.5s", "0.0001ms", "-5s",
                    "9999999999999999999d", "106751991167301d", "1e3s", "10 s", "localhost:2181", "a:1,b:2", ":",
                    "host:99999", "a,b,,c", "zone=eu,gpu", "x".repeat(300), "plugins", "/tmp", "../..", "a-dir",
                    "auth-ok", "auth-open", "auth-bad", "token-ok", "token-short", "empty", "missing-file",
                    "\u00e9t\u00e9", "a/b", "zookeeper", "..");
            case 1 -> g.pick("bad\0path", "\0", "x\ny", "\ud800", "a\ud800b", "%s%n", "${HOME}", "\u202e", "\\");
            case 2 -> g.text(12);
            default -> g.string("0123456789.-smhd:, ", 0, 10);
        };
    }
}
