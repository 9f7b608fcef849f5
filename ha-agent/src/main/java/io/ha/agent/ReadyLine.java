package io.ha.agent;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line {@code HA-AGENT READY id=<id> http=<host:port> zk=<connect>} that {@link AgentMain} prints on stdout once
 * the agent takes tasks; the supervisor's tests, the demo and the agent tests wait for it. The one place that knows
 * its format: {@link #line()} writes it, {@link #PATTERN} finds it.
 *
 * <p>Guarantee: {@code PATTERN} finds every line {@code line()} writes, with the groups {@code id}, {@code http} and
 * {@code zk} (also numbered 1 to 3). Not guaranteed: that a line that matches came from an agent (anything may print
 * it); none of the three values contains white space, so none is quoted.
 *
 * @param id   the agent's id
 * @param http its HTTP endpoint, {@code host:port}
 * @param zk   the ZooKeeper connect string it uses
 */
public record ReadyLine(String id, String http, String zk) {
    /** How the line begins. */
    public static final String PREFIX = "HA-AGENT READY ";
    /** Finds the line ({@link Matcher#find()}), with the groups {@code id}, {@code http} and {@code zk}. */
    public static final Pattern PATTERN = Pattern.compile(
            Pattern.quote(PREFIX) + "id=(?<id>\\S+) http=(?<http>\\S+) zk=(?<zk>\\S+)");

    public ReadyLine {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(zk, "zk");
    }

    /** The values of a match of {@link #PATTERN}. */
    public static ReadyLine of(Matcher match) {
        return new ReadyLine(match.group("id"), match.group("http"), match.group("zk"));
    }

    /** The line as the agent prints it. */
    public String line() {
        return PREFIX + "id=" + id + " http=" + http + " zk=" + zk;
    }
}
