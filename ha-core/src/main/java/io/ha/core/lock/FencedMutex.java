package io.ha.core.lock;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;

/** An {@link InterProcessMutex} that tells the path of the lock node the current thread holds. */
final class FencedMutex extends InterProcessMutex {
    FencedMutex(CuratorFramework client, String path) {
        super(client, path);
    }

    /** The lock node held by the calling thread, or null. */
    String heldPath() {
        return getLockPath();
    }
}
