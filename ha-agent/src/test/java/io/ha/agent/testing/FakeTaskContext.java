package io.ha.agent.testing;

import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskFencingToken;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

/**
 * A {@link TaskContext} for calling handlers without a cluster: attempt 1 of 3, cancelled when the calling thread is
 * interrupted. A proxy, so methods added to the interface later answer with defaults instead of breaking the tests.
 */
public final class FakeTaskContext {
    private FakeTaskContext() {
    }

    public static TaskContext of(String taskId, String type, byte[] payload) {
        return followUp(taskId, type, payload, new byte[0], null, 1);
    }

    /** A follow-up task's context: {@code input} and {@code parentId} as its parent's outcome left them. */
    public static TaskContext followUp(String taskId, String type, byte[] payload, byte[] input, String parentId,
                                       int attempt) {
        InvocationHandler h = (proxy, method, args) -> switch (method.getName()) {
            case "taskId" -> taskId;
            case "type" -> type;
            case "payload" -> payload.clone();
            case "input" -> input.clone();
            case "parentId" -> parentId;
            case "attempt" -> attempt;
            case "maxAttempts" -> 3;
            case "agentId" -> "test-agent";
            case "fencingToken" -> new TaskFencingToken(taskId, attempt, 1);
            case "isCancelled" -> Thread.currentThread().isInterrupted();
            case "toString" -> "FakeTaskContext[" + taskId + "]";
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> {
                if (method.isDefault()) {
                    yield InvocationHandler.invokeDefault(proxy, method, args);
                }
                Class<?> r = method.getReturnType();
                yield r == boolean.class ? false : r == int.class ? 0 : r == long.class ? 0L : null;
            }
        };
        return (TaskContext) Proxy.newProxyInstance(TaskContext.class.getClassLoader(),
                new Class<?>[] {TaskContext.class}, h);
    }
}
