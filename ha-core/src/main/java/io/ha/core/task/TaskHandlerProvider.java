package io.ha.core.task;

/**
 * A plug-in that contributes one task handler to an agent. The agent finds providers with
 * {@link java.util.ServiceLoader} in the jars of its plug-in directory: a jar lists its implementations in
 * {@code META-INF/services/io.ha.core.task.TaskHandlerProvider}, each with a public no-argument constructor.
 *
 * <p>Guarantee: the agent calls {@link #type()}, {@link #concurrency()} and {@link #handler()} once, at start, before
 * it takes any task, and refuses to start when a provider fails, names an invalid or already served type, or asks for a
 * concurrency outside 1-10000. Not guaranteed: any order among providers. The handler follows the
 * {@link TaskHandler} contract (at-least-once; its thread is interrupted when the task is taken away).
 */
public interface TaskHandlerProvider {
    /** The task type this provider's handler serves, unique within an agent. */
    String type();

    /** The handler; called once. */
    TaskHandler handler();

    /** How many tasks of this type the agent runs at once; default 1. */
    default int concurrency() {
        return 1;
    }
}
