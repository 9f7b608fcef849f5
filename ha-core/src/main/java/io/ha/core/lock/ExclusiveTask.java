package io.ha.core.lock;

/** Work to run while holding a lock; it should stop promptly when its thread is interrupted (lock lost). */
@FunctionalInterface
public interface ExclusiveTask<T> {
    T run(FencingToken token) throws Exception;
}
