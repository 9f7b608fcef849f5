package io.ha.core.cluster;

import org.apache.zookeeper.common.PathUtils;

/**
 * Checks a ZooKeeper connect string ({@code host:port[,host:port...][/chroot]}) before any client is made, because
 * ZooKeeper's own parser accepts many malformed strings and then fails later with an obscure error or a hang.
 */
public final class ConnectStrings {
    private ConnectStrings() {
    }

    /** @throws IllegalArgumentException naming the connect string and the bad part */
    /** The chroot part ({@code /a/b}) of a valid connect string, or null when it has none. */
    public static String chroot(String connectString) {
        int slash = connectString.indexOf('/');
        return slash < 0 || slash == connectString.length() - 1 ? null : connectString.substring(slash);
    }

    public static String validate(String connectString) {
        if (connectString == null || connectString.isBlank()) {
            throw new IllegalArgumentException("ZooKeeper connect string must not be empty");
        }
        String hosts = connectString;
        int slash = connectString.indexOf('/');
        if (slash >= 0) {
            hosts = connectString.substring(0, slash);
            String chroot = connectString.substring(slash);
            if (chroot.length() > 1 && chroot.endsWith("/")) {
                throw new IllegalArgumentException("ZooKeeper connect string '" + connectString
                        + "': chroot '" + chroot + "' must not end with '/'");
            }
            try {
                PathUtils.validatePath(chroot);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ZooKeeper connect string '" + connectString + "': chroot '"
                        + chroot + "' is not a valid ZooKeeper path (" + e.getMessage() + ")");
            }
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("ZooKeeper connect string '" + connectString + "' names no server");
        }
        for (String server : hosts.split(",", -1)) {
            String s = server.trim();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("ZooKeeper connect string '" + connectString
                        + "' has an empty server entry");
            }
            int colon = s.lastIndexOf(':');
            String host = colon < 0 ? s : s.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (colon >= 0 && host.contains(":")) {
                throw new IllegalArgumentException("ZooKeeper connect string '" + connectString
                        + "': IPv6 address in '" + s + "' must be written in brackets, like [::1]:2181");
            }
            if (host.isEmpty() || host.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                throw new IllegalArgumentException("ZooKeeper connect string '" + connectString
                        + "': '" + s + "' has no valid host");
            }
            if (colon >= 0) {
                String port = s.substring(colon + 1);
                int p;
                try {
                    p = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("ZooKeeper connect string '" + connectString
                            + "': port '" + port + "' of '" + s + "' is not a number");
                }
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("ZooKeeper connect string '" + connectString
                            + "': port " + p + " of '" + s + "' is outside 1-65535");
                }
            }
        }
        return connectString;
    }
}
