package io.ha.spring;

import io.ha.core.schedule.MisfirePolicy;
import io.ha.core.schedule.OverlapPolicy;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A cluster schedule whose handler is the annotated method: each tick runs the method once, on one instance of the
 * cluster (whichever takes the tick's task), not once per instance as Spring's {@code @Scheduled} does. Defined at
 * start-up under {@link #name()}; a changed annotation redefines it, keeping where it stands, so no tick repeats.
 * The method may take no parameter or one {@link io.ha.core.task.TaskContext}; a throw fails the tick's task (it is
 * retried as the task queue retries).
 *
 * <p>Guarantees: each tick enqueues at most one task across the cluster (see {@link io.ha.core.schedule.Schedules}),
 * whatever fails over. Not guaranteed: exactly-once execution (a task runs at least once: an instance that dies while
 * running it hands it to another), nor a tick's exact time (up to a session timeout late after a failover). Every
 * member of the cluster must have the handler: give instances of other applications other labels.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ClusterScheduled {
    /** The schedule's name, also its task type; empty for {@code SimpleClassName.methodName}. */
    String name() default "";

    /** A cron expression: 5 fields (Unix) or 6-7 with seconds (Quartz). Exactly one of cron and every. */
    String cron() default "";

    /** A fixed rate as a Spring duration ({@code 10s}, {@code 5m}). Exactly one of cron and every. */
    String every() default "";

    /** The cron expression's time zone. */
    String zone() default "UTC";

    MisfirePolicy misfire() default MisfirePolicy.FIRE_ONCE;

    OverlapPolicy overlap() default OverlapPolicy.ALLOW;

    /** How many ticks may run at once on one instance. */
    int concurrency() default 1;
}
