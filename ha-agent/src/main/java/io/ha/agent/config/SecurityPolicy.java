package io.ha.agent.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides, from the configuration alone, whether the agent may start and what it must warn about. Pure: no network,
 * no name resolution, no logging.
 *
 * <p>Guarantee: {@link #check} refuses (a {@link ConfigException} that says how to fix it) an agent with the
 * {@code exec} handler enabled and no ZooKeeper credentials, unless {@code security.insecure=true}; the embedded
 * server counts as no credentials too (every local account can reach a loopback port). It refuses a connect string
 * naming a host other than a loopback literal without TLS ({@code zk.tls.enabled}) under
 * {@code security.require-tls=true}; without that key such a connect string only gives a warning. Not guaranteed: that the credentials
 * are right, nor that a host name such as {@code zk1} that resolves to a loopback address is treated as loopback
 * (only {@code localhost}, {@code 127.*} and {@code ::1} are).
 */
public final class SecurityPolicy {
    private SecurityPolicy() {
    }

    /**
     * @return the warnings to log at start, one line each (empty when there is nothing to warn about)
     * @throws ConfigException when the agent must not start
     */
    public static List<String> check(AgentConfig config) {
        List<String> warnings = new ArrayList<>();
        boolean noCredentials = config.zkCredentials() == null;
        if (config.execEnabled() && noCredentials) {
            if (!config.securityInsecure()) {
                throw new ConfigException("exec.enabled=true without ZooKeeper credentials: anyone who can reach "
                        + "ZooKeeper (" + where(config) + ") could run commands as this agent's user. Set zk.auth.file "
                        + "to a file readable by this user only holding user:password (or the environment variable "
                        + "HA_ZK_AUTH), and give the same credentials to every agent and client of the cluster; or "
                        + "set exec.enabled=false; or, for a throw-away setup only, security.insecure=true");
            }
            warnings.add("INSECURE (security.insecure=true): exec is enabled without ZooKeeper credentials, so anyone "
                    + "who can reach ZooKeeper (" + where(config) + ") can run commands as this agent's user. For "
                    + "throw-away setups only: set zk.auth.file or HA_ZK_AUTH and remove security.insecure");
        } else if (noCredentials) {
            warnings.add("no ZooKeeper credentials (zk.auth.file or HA_ZK_AUTH): anyone who can reach ZooKeeper ("
                    + where(config) + ") can read and change this cluster's tasks");
        } else if (config.securityInsecure()) {
            warnings.add("security.insecure=true is set but has no effect: this agent has ZooKeeper credentials");
        }
        List<String> remote = config.embeddedZooKeeper() || config.zkTls() != null ? List.of()
                : nonLoopbackHosts(config.zkConnect());
        if (!remote.isEmpty()) {
            if (config.securityRequireTls()) {
                throw new ConfigException("security.require-tls=true but zk.connect names the non-loopback host(s) "
                        + String.join(", ", remote) + " without TLS: set zk.tls.enabled=true with zk.tls.truststore "
                        + "(and zk.tls.keystore when the servers ask for client certificates), or connect through a "
                        + "loopback address, or set security.require-tls=false");
            }
            warnings.add("zk.connect names the non-loopback host(s) " + String.join(", ", remote) + " without TLS: "
                    + "the digest password, task payloads and outputs cross the network unencrypted. Set "
                    + "zk.tls.enabled=true (and security.require-tls=true to refuse plain connections)");
        }
        return warnings;
    }

    /** The hosts of {@code connect} ({@code host:port[,host:port...][/chroot]}) that are not loopback literals. */
    static List<String> nonLoopbackHosts(String connect) {
        int slash = connect.indexOf('/');
        String servers = slash < 0 ? connect : connect.substring(0, slash);
        List<String> remote = new ArrayList<>();
        for (String server : servers.split(",")) {
            String host = host(server.trim());
            if (!host.isEmpty() && !isLoopback(host)) {
                remote.add(host);
            }
        }
        return remote;
    }

    private static String host(String server) {
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            return close < 0 ? server : server.substring(1, close);
        }
        int colon = server.lastIndexOf(':');
        // Exactly one colon: host:port. More: an IPv6 literal without brackets and without a port.
        return colon < 0 || server.indexOf(':') != colon ? server : server.substring(0, colon);
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] octets = h.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127")) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(Character::isDigit) || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    private static String where(AgentConfig config) {
        return config.embeddedZooKeeper() ? "the embedded server, which every local account can reach"
                : "at " + config.zkConnect();
    }
}
