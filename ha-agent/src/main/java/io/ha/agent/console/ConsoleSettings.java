package io.ha.agent.console;

import io.ha.agent.config.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a console is guarded: the tokens that sign an operator in (the agent's {@code http.token} and the console's
 * own {@code http.console.token}; none means the console is read-only for everyone) and the host names a request's
 * {@code Host} header may carry (the bound address, loopback names, and {@code http.console.hosts}).
 *
 * @param tokens       tokens that sign in; empty: read-only
 * @param allowedHosts host names (without port) accepted in the {@code Host} header, lower case
 */
public record ConsoleSettings(List<Secret> tokens, Set<String> allowedHosts) {
    public ConsoleSettings {
        tokens = List.copyOf(tokens.stream().filter(Objects::nonNull).toList());
        allowedHosts = Set.copyOf(allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
    }

    /**
     * Settings for a console bound to {@code bindHost}: the tokens that are set (nulls skipped), and as hosts the
     * bound one, {@code localhost}, {@code 127.0.0.1}, {@code [::1]}, {@code machineName} (the name shown when bound
     * to every address) and {@code extraHosts}.
     */
    public static ConsoleSettings of(String bindHost, String machineName, List<String> extraHosts, Secret... tokens) {
        Set<String> hosts = new TreeSet<>(List.of("localhost", "127.0.0.1", "[::1]"));
        hosts.add(bindHost.contains(":") && !bindHost.startsWith("[") ? "[" + bindHost + "]" : bindHost);
        if (machineName != null) {
            hosts.add(machineName);
        }
        hosts.addAll(extraHosts);
        List<Secret> all = new ArrayList<>();
        for (Secret t : tokens) {
            if (t != null) {
                all.add(t);
            }
        }
        return new ConsoleSettings(all, hosts);
    }

    /** True when some token can sign in. */
    public boolean actionsPossible() {
        return !tokens.isEmpty();
    }

    boolean signsIn(String given) {
        boolean any = false;
        for (Secret t : tokens) {
            any |= t.matches(given); // every token compared: the time does not tell which one matched
        }
        return any;
    }

    /** Whether a {@code Host} header (with or without port) names an allowed host. */
    boolean hostAllowed(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return false;
        }
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > 0 && h.indexOf(']') < colon && h.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            h = h.substring(0, colon);
        }
        return allowedHosts.contains(h);
    }
}
