package io.ha.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildEnvironmentTest {
    private static final Map<String, String> AGENT = Map.of("PATH", "/opt/bin:/usr/bin", "HOME", "/home/ha",
            "LANG", "C.UTF-8", "HA_ZK_AUTH", "digest:ha:s3cret", "HA_HTTP_TOKEN", "t0ken",
            "JAVA_TOOL_OPTIONS", "-javaagent:/x.jar", "DB_PASSWORD", "hunter2", "SITE", "eu-1");

    @Test
    void keepsOnlyTheAllowlistThePayloadsVariablesAndTheTasks() {
        Map<String, String> env = ChildEnvironment.build(AGENT, List.of(), Map.of("GREETING", "hi"), "t-1", 2, "t-0");
        assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of("PATH", "/opt/bin:/usr/bin", "HOME", "/home/ha",
                "LANG", "C.UTF-8", "GREETING", "hi", "HA_TASK_ID", "t-1", "HA_TASK_ATTEMPT", "2",
                "HA_PARENT_ID", "t-0"));
    }

    @Test
    void passesTheNamedExtraVariablesOnly() {
        Map<String, String> env = ChildEnvironment.build(AGENT, List.of("SITE", "MISSING"), Map.of(), "t-1", 1, null);
        assertThat(env).containsEntry("SITE", "eu-1").doesNotContainKeys("MISSING", "DB_PASSWORD", "HA_PARENT_ID");
    }

    @Test
    void taskVariablesWinOverThePayloadAndPathHasADefault() {
        Map<String, String> env = ChildEnvironment.build(Map.of(), List.of(),
                Map.of("HA_TASK_ID", "forged", "HA_PARENT_ID", "forged"), "t-1", 1, null);
        assertThat(env).containsEntry("HA_TASK_ID", "t-1").containsEntry("PATH", ChildEnvironment.DEFAULT_PATH)
                .doesNotContainKey("HA_PARENT_ID");
    }
}
