package io.ha.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Registers a handler of task type {@link #type()} with this instance's worker at start-up. On a method: the method
 * is the handler; it may take a {@link io.ha.core.task.TaskContext}, a {@code String} (the payload as UTF-8) or a
 * {@code byte[]} (the payload), or nothing, and return {@code byte[]}, {@code String} (stored as UTF-8) or nothing.
 * On a bean: the bean must implement {@link io.ha.core.task.TaskHandler}.
 *
 * <p>Guarantees and limits are those of {@link io.ha.core.task.Worker}: a task runs at least once, its outcome is
 * recorded only while this instance holds it, and its thread is interrupted when it is cancelled or taken away.
 * Observers ({@code ha.role=observer}) register no handler.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TaskHandler {
    /** The task type handled. */
    String type();

    /** How many tasks of this type run at once on this instance. */
    int concurrency() default 1;
}
