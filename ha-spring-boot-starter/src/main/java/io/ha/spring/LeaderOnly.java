package io.ha.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Leader-only work. On a method (Spring's {@code @Scheduled} ones included): it runs only on the instance that leads
 * the HA cluster; elsewhere the call returns without running ({@code null}, or zero/false for a primitive) or
 * throws {@link NotLeaderException}, as {@link #whenNotLeader()} says. On a {@code SmartLifecycle} bean: the context
 * no longer starts it itself; it is started when this instance is elected and stopped when its term ends. On any
 * other type: each of the bean's own methods is leader-only ({@code equals}, {@code hashCode} and {@code toString}
 * are not).
 *
 * <p>Guarantees: a call runs only inside a leadership term of this instance; when the term ends, running calls are
 * interrupted, and on a graceful stop the instance gives up leadership only once they returned (up to the leader
 * stop timeout), so the next leader's calls never overlap them. Not guaranteed: mutual exclusion with a call that
 * ignores interruption past that timeout, or across a partition shorter than the old leader's detection time (see
 * {@link io.ha.core.leader.LeaderElection}); fence side effects with the epoch
 * ({@code LeaderElection.termEpoch()}).
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LeaderOnly {
    /** What a call on an instance that does not lead does. */
    NotLeader whenNotLeader() default NotLeader.SKIP;

    /** What a {@link LeaderOnly} method does when this instance does not lead. */
    enum NotLeader {
        /** Return without running: {@code null}, or zero/false for a primitive return type. */
        SKIP,
        /** Throw {@link NotLeaderException}. */
        THROW
    }
}
