package io.ha.core.cluster;

import java.net.InetAddress;

/**
 * How this process names itself: HA's version, the host name and the default agent id. The one place that looks
 * them up, for ha-core, the agent, the CLI and the samples alike.
 *
 * <p>Guarantee: never throws; a host whose name cannot be resolved is {@code localhost}. Not guaranteed: that the
 * host name is unique across machines (give agents explicit ids where it is not).
 */
public final class ProcessIdentity {
    private ProcessIdentity() {
    }

    /** HA's version from the jar's manifest, or {@code dev} when run from classes (an IDE, a test). */
    public static String version() {
        String v = ProcessIdentity.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** This machine's host name, or {@code localhost} when it cannot be resolved. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            // An unresolvable host name (no DNS, odd /etc/hosts): a name is still needed for ids and display.
            return "localhost";
        }
    }

    /** The agent id used when none is configured: {@code <host name>-<pid>}. */
    public static String defaultAgentId() {
        return hostName() + "-" + ProcessHandle.current().pid();
    }
}
