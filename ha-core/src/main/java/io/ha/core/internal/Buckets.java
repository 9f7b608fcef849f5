package io.ha.core.internal;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Spreads task nodes over a fixed number of bucket directories chosen by a hash of the id, so no single directory
 * holds more than a few thousand children even with millions of tasks: one {@code getChildren} of a bucket stays far
 * below ZooKeeper's packet limit (jute.maxbuffer, 1 MiB by default).
 */
public final class Buckets {
    /** Number of buckets; part of the on-disk layout, never change it for an existing cluster. */
    public static final int COUNT = 256;
    /**
     * Most nodes (the buckets and their children) a bucketed tree may hold for all its buckets to be listed in one
     * request ({@link AsyncReads#childrenOfSmallTree}): 2,048 names of at most about 260 bytes (a pointer name with a
     * 200-character type) stay near half of the 1 MiB packet limit, leaving room for nodes added meanwhile.
     */
    public static final int SMALL_TREE_NODES = 2048;
    private static final List<String> ALL;

    static {
        List<String> all = new ArrayList<>(COUNT);
        for (int i = 0; i < COUNT; i++) {
            all.add(name(i));
        }
        ALL = List.copyOf(all);
    }

    private Buckets() {
    }

    public static String of(String id) {
        int h = Hashing.murmur3_32_fixed().hashString(id, StandardCharsets.UTF_8).asInt();
        return ALL.get(Math.floorMod(h, COUNT));
    }

    public static List<String> all() {
        return ALL;
    }

    private static String name(int i) {
        return String.format("%02x", i);
    }
}
