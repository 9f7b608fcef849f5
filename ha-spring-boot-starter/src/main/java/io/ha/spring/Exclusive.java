package io.ha.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the method under {@code ExclusiveWork.runExclusively}: across all instances of the cluster, at most one runs
 * it (or any method with the same lock {@link #name()}) at a time. A parameter of type
 * {@link io.ha.core.lock.FencingToken}, if declared, receives the lock's token (whatever the caller passed): tokens
 * strictly increase from one holder to the next, so a store that keeps the highest one seen can refuse a stale
 * holder's writes.
 *
 * <p>When the lock can no longer be guaranteed (session lost), the method's thread is interrupted and the call ends
 * with {@link io.ha.core.LockLostException}. When the lock is not acquired within {@link #waitFor()}, the call throws
 * {@link io.ha.core.LockTimeoutException}, or returns without running when {@link #skipWhenBusy()} is set (for
 * {@code @Scheduled} methods, as ShedLock does). Not guaranteed: that a method which ignores interruption stops
 * touching shared state; fence it with the token.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Exclusive {
    /** The lock's name; empty for {@code SimpleClassName.methodName}. */
    String name() default "";

    /** How long to wait for the lock, as a Spring duration ({@code 0s}, {@code 500ms}, {@code 2m}). */
    String waitFor() default "0s";

    /** Return without running ({@code null}, zero or false) instead of throwing when the lock is busy. */
    boolean skipWhenBusy() default false;
}
