package io.ha.agent.supervisor;

import com.google.common.base.Preconditions;
import io.ha.agent.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The supervisor's own settings, taken out of the command line; every other argument is the agent's. Each option has
 * an environment variable ({@code --heartbeat-timeout} and {@code HA_SUPERVISOR_HEARTBEAT_TIMEOUT}); a flag wins over
 * the variable, the variable over the default. Durations are written as everywhere in HA ({@link Durations}:
 * {@code 500ms}, {@code 15s}, {@code 1m30s}, {@code 2h}), or as a bare number of seconds.
 *
 * @param heartbeatTimeout no heartbeat for this long means a hung agent: its process tree is killed and restarted
 * @param startupTimeout   time allowed from start to the first heartbeat (JVM start, connecting)
 * @param stopTimeout      after forwarding SIGTERM, how long the agent may drain before it is killed
 * @param restart          backoff and crash-loop limit
 * @param mainClass        the agent's main class (tests run stand-ins)
 * @param agentArgs        arguments passed to the agent unchanged
 */
public record SupervisorOptions(Duration heartbeatTimeout, Duration startupTimeout, Duration stopTimeout,
                                RestartPolicy.Settings restart, String mainClass, List<String> agentArgs) {
    public static final String DEFAULT_MAIN_CLASS = "io.ha.agent.AgentMain";

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: ha-agent --supervise [supervisor options] [agent options]",
            "supervisor options (each also as HA_SUPERVISOR_<NAME> in the environment, e.g. "
                    + "HA_SUPERVISOR_HEARTBEAT_TIMEOUT=10s):",
            "  --heartbeat-timeout D  restart the agent when its heartbeat stalls this long (default 15s)",
            "  --startup-timeout D    time allowed until the first heartbeat (default 60s)",
            "  --stop-timeout D       drain time after SIGTERM before the agent is killed (default 120s)",
            "  --backoff-initial D    delay before the first restart (default 1s), doubling per failure",
            "  --backoff-max D        ceiling of the delay (default 60s)",
            "  --stable-after D       uptime after which the delay starts again from the initial one (default 60s)",
            "  --max-restarts N       restarts allowed within the window before giving up (default 5)",
            "  --restart-window D     window of the crash-loop limit (default 5m)",
            "  --main-class CLASS     the agent's main class (default " + DEFAULT_MAIN_CLASS + ")",
            "every other argument is passed to the agent; '--' ends the supervisor options");

    public SupervisorOptions {
        Preconditions.checkArgument(heartbeatTimeout.toMillis() >= 2 * Heartbeat.INTERVAL_MS,
                "heartbeat timeout must be at least %s ms (two heartbeat intervals), got %s ms",
                2 * Heartbeat.INTERVAL_MS, heartbeatTimeout.toMillis());
        Preconditions.checkArgument(startupTimeout.toMillis() > 0, "startup timeout must be positive");
        Preconditions.checkArgument(stopTimeout.toMillis() > 0, "stop timeout must be positive");
        Preconditions.checkNotNull(restart, "restart settings");
        Preconditions.checkArgument(mainClass != null && !mainClass.isBlank(), "main class must not be blank");
        agentArgs = List.copyOf(agentArgs);
    }

    /**
     * Splits the command line into the supervisor's options and the agent's arguments; {@code --supervise} itself is
     * dropped.
     *
     * @throws IllegalArgumentException naming the option and the value when one is malformed
     */
    public static SupervisorOptions parse(List<String> args, Map<String, String> env) {
        Map<String, String> given = new java.util.HashMap<>();
        List<String> agentArgs = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                agentArgs.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (arg.equals("--supervise")) {
                continue;
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (!OPTIONS.contains(name)) {
                agentArgs.add(arg);
                continue;
            }
            String value;
            if (arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
            } else {
                Preconditions.checkArgument(i + 1 < args.size(), "%s needs a value", name);
                value = args.get(++i);
            }
            given.put(name, value);
        }
        Function<String, String> lookup = name -> given.containsKey(name) ? given.get(name) : env.get(envName(name));
        Settings s = new Settings(lookup);
        RestartPolicy.Settings restart = new RestartPolicy.Settings(
                s.duration("--backoff-initial", Duration.ofSeconds(1)),
                s.duration("--backoff-max", Duration.ofSeconds(60)),
                s.duration("--stable-after", Duration.ofSeconds(60)),
                s.integer("--max-restarts", 5),
                s.duration("--restart-window", Duration.ofMinutes(5)));
        String mainClass = lookup.apply("--main-class");
        return new SupervisorOptions(
                s.duration("--heartbeat-timeout", Duration.ofSeconds(15)),
                s.duration("--startup-timeout", Duration.ofSeconds(60)),
                s.duration("--stop-timeout", Duration.ofSeconds(120)),
                restart, mainClass == null ? DEFAULT_MAIN_CLASS : mainClass, agentArgs);
    }

    private static final List<String> OPTIONS = List.of("--heartbeat-timeout", "--startup-timeout", "--stop-timeout",
            "--backoff-initial", "--backoff-max", "--stable-after", "--max-restarts", "--restart-window",
            "--main-class");

    /** {@code --heartbeat-timeout} -> {@code HA_SUPERVISOR_HEARTBEAT_TIMEOUT}. */
    static String envName(String option) {
        return "HA_SUPERVISOR_" + option.substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Typed reads of the merged flags and environment, each error naming the flag and its variable. */
    private record Settings(Function<String, String> lookup) {
        Duration duration(String option, Duration defaultValue) {
            String text = lookup.apply(option);
            return text == null ? defaultValue
                    : Durations.parse(option + " (" + envName(option) + ")", text, Durations.BareNumber.SECONDS);
        }

        int integer(String option, int defaultValue) {
            String text = lookup.apply(option);
            if (text == null) {
                return defaultValue;
            }
            Preconditions.checkArgument(text.trim().matches("\\d{1,6}"), "%s (%s): '%s' is not a whole number",
                    option, envName(option), text);
            return Integer.parseInt(text.trim());
        }
    }
}
