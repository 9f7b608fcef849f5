package io.ha.agent.http;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers which client addresses were already reported, so that a client guessing the token thousands of times
 * leaves one log line, not thousands.
 *
 * <p>Guarantee: {@link #first} is true once per address among the {@code capacity} most recently first-seen ones, and
 * memory stays bounded by {@code capacity} entries whatever the number of clients. Not guaranteed: an address evicted
 * by {@code capacity} newer ones is reported again; addresses are not authenticated (a client can vary its source
 * address on a network that lets it).
 */
final class OncePerClient {
    private final Map<InetAddress, Boolean> seen;

    OncePerClient(int capacity) {
        this.seen = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True the first time {@code address} is seen (again after eviction), false after. */
    synchronized boolean first(InetAddress address) {
        return seen.put(address, Boolean.TRUE) == null;
    }
}
