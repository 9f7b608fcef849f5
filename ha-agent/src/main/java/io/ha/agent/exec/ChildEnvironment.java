package io.ha.agent.exec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment an exec command gets, built from nothing: the agent's {@link #INHERITED} variables (and the extra
 * names the operator lists), then the payload's own variables, then the task's {@code HA_TASK_*} variables.
 *
 * <p>Guarantee: no other variable of the agent's environment reaches the command, so the agent's secrets
 * ({@code HA_ZK_AUTH}, {@code HA_HTTP_TOKEN}) and its JVM settings ({@code JAVA_TOOL_OPTIONS}) stay out, unless the
 * operator names one in the pass list. Not guaranteed: anything about what the payload itself sets (a task's submitter
 * chooses its command, and so its environment).
 */
final class ChildEnvironment {
    /** The agent's variables every command gets when the agent has them. */
    static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ");
    /** The PATH of a command when the agent has none. */
    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private ChildEnvironment() {
    }

    /**
     * @param agentEnv   the agent's environment ({@code System.getenv()})
     * @param pass       further names of the agent's variables to pass, may be empty
     * @param payloadEnv the payload's variables, set over the inherited ones
     * @param parentId   the parent task's id, or null (then {@value ExecHandler#ENV_PARENT_ID} is unset, whatever the
     *                   payload says)
     */
    static Map<String, String> build(Map<String, String> agentEnv, List<String> pass, Map<String, String> payloadEnv,
            String taskId, int attempt, String parentId) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        for (String name : INHERITED) {
            copy(agentEnv, name, env);
        }
        for (String name : pass) {
            copy(agentEnv, name, env);
        }
        env.putAll(payloadEnv);
        // Set last, so a command can rely on them.
        env.put(ExecHandler.ENV_TASK_ID, taskId);
        env.put(ExecHandler.ENV_TASK_ATTEMPT, String.valueOf(attempt));
        if (parentId != null) {
            env.put(ExecHandler.ENV_PARENT_ID, parentId);
        } else {
            env.remove(ExecHandler.ENV_PARENT_ID);
        }
        return env;
    }

    private static void copy(Map<String, String> from, String name, Map<String, String> to) {
        String value = from.get(name);
        if (value != null) {
            to.put(name, value);
        }
    }
}
