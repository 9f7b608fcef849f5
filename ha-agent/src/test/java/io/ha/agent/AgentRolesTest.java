package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ha.agent.cli.CtlMain;
import io.ha.core.cluster.Credentials;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Roles with a real agent process and ha-ctl (issue 15): the roles file is built with {@code ha-ctl digest}; a
 * submitter's exec task runs on the agent; a reader reads and is refused changes, naming NoAuth; a client without the
 * roles file, or an identity the roles do not list, is refused with the fix named.
 */
class AgentRolesTest extends AgentTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int code, String out, String err) {
    }

    private Path authFile(String name, String userColonPassword) throws Exception {
        Path file = dir.resolve(name + ".auth");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, userColonPassword + "\n");
        return file;
    }

    private Run ctl(Map<String, String> extraEnv, String stdin, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("HA_ZK_CONNECT", server.getConnectString(),
                "HA_CLUSTER_NAME", "test"));
        env.putAll(extraEnv);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CtlMain.execute(args, new PrintWriter(out), new PrintWriter(err),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aSubmitterRunsCommandsAReaderOnlyReadsAndOthersAreRefused() throws Exception {
        Path agentAuth = authFile("agent", "ops-agent:Ag-" + System.nanoTime());
        Path ciAuth = authFile("ci", "ci:Ci-" + System.nanoTime());
        Path readerAuth = authFile("dash", "dash:Rd-" + System.nanoTime());
        Path strangerAuth = authFile("mallory", "mallory:Ml-" + System.nanoTime());

        Run agentLine = ctl(Map.of(), "", "digest", "agent", "--auth-file", agentAuth.toString());
        assertThat(agentLine.code()).as(agentLine.err()).isZero();
        assertThat(agentLine.out().strip()).isEqualTo("agent "
                + Credentials.parse(Files.readString(agentAuth).strip()).digestId());
        Run ciLine = ctl(Map.of(), Files.readString(ciAuth), "digest", "submitter");
        Run readerLine = ctl(Map.of("HA_ZK_AUTH_FILE", readerAuth.toString()), "", "digest", "reader");
        assertThat(ciLine.out()).startsWith("submitter ci:").doesNotContain("Ci-");
        assertThat(ctl(Map.of(), "", "digest", "admin", "--auth-file", agentAuth.toString()).err())
                .contains("unknown role 'admin': agent, submitter or reader");
        Path roles = dir.resolve("roles");
        Files.writeString(roles, "# the test cluster's identities\n" + agentLine.out() + ciLine.out()
                + readerLine.out());

        AgentProcess agent = startAgent("agent-r", Map.of("HA_ZK_AUTH_FILE", agentAuth.toString(),
                "HA_ZK_ROLES_FILE", roles.toString())).awaitReady(READY);

        Map<String, String> ci = Map.of("HA_ZK_AUTH_FILE", ciAuth.toString(), "HA_ZK_ROLES_FILE", roles.toString());
        Run submitted = ctl(ci, "", "submit", "--type", "exec", "--", "sh", "-c", "echo ran-by-agent");
        assertThat(submitted.code()).as(submitted.err()).isZero();
        String id = submitted.out().strip();
        Run waited = ctl(ci, "", "wait", id, "--timeout", "30s");
        assertThat(waited.code()).as(waited.out() + waited.err()).isZero();
        JsonNode task = JSON.readTree(ctl(ci, "", "task", id, "--json").out());
        assertThat(task.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(task.path("agent").asText()).isEqualTo("agent-r");

        Map<String, String> reader = Map.of("HA_ZK_AUTH_FILE", readerAuth.toString(),
                "HA_ZK_ROLES_FILE", roles.toString());
        assertThat(ctl(reader, "", "tasks").code()).isZero();
        Run refused = ctl(reader, "", "submit", "--type", "exec", "--", "true");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("NoAuth").contains("readers change nothing")
                .doesNotContain("\tat ");
        Run drain = ctl(reader, "", "drain", "agent-r");
        assertThat(drain.code()).isEqualTo(1);
        assertThat(drain.err()).contains("NoAuth");
        assertThat(agent.isAlive()).isTrue();

        Run noRoles = ctl(Map.of("HA_ZK_AUTH_FILE", ciAuth.toString()), "", "tasks");
        assertThat(noRoles.code()).isEqualTo(1);
        assertThat(noRoles.err()).contains("has roles").contains("HA_ZK_ROLES_FILE");
        Run stranger = ctl(Map.of("HA_ZK_AUTH_FILE", strangerAuth.toString(), "HA_ZK_ROLES_FILE",
                roles.toString()), "", "tasks");
        assertThat(stranger.code()).isEqualTo(2);
        assertThat(stranger.err()).contains("user 'mallory' are not listed").contains("ha-ctl digest mallory");
        Run rolesWithoutAuth = ctl(Map.of("HA_ZK_ROLES_FILE", roles.toString()), "", "tasks");
        assertThat(rolesWithoutAuth.code()).isEqualTo(2);
        assertThat(rolesWithoutAuth.err()).contains("--roles-file needs credentials");

        // A submitter cannot join as an agent: the agent process refuses to start, naming the role.
        try (AgentProcess fake = AgentProcess.start(dir.resolve("work-fake"), Map.of(
                "HA_ZK_CONNECT", server.getConnectString(), "HA_CLUSTER_NAME", "test", "HA_AGENT_ID", "fake",
                "HA_ZK_AUTH_FILE", ciAuth.toString(), "HA_ZK_ROLES_FILE", roles.toString(),
                "HA_LOG_DIR", dir.resolve("logs-fake").toString(),
                "HA_PLUGINS_DIR", dir.resolve("no-plugins").toString()))) {
            assertThat(fake.awaitExit(EXIT)).isEqualTo(1);
            assertThat(fake.stderr() + fake.stdout()).contains("user 'ci' has the submitter role");
        }
    }
}
