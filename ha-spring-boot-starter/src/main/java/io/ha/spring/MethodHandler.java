package io.ha.spring;

import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import org.springframework.aop.support.AopUtils;

/**
 * A bean method as a {@link TaskHandler}: the parameter gets the {@link TaskContext}, the payload as a string or as
 * bytes; a {@code String} result is stored as UTF-8. An exception the method throws fails the attempt as it is.
 */
final class MethodHandler implements TaskHandler {
    private final Object bean;
    private final Method method;

    private MethodHandler(Object bean, Method method) {
        this.bean = bean;
        this.method = method;
    }

    static MethodHandler of(Object bean, Method method) {
        Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
        Class<?>[] params = invocable.getParameterTypes();
        if (params.length > 1 || (params.length == 1 && params[0] != TaskContext.class && params[0] != String.class
                && params[0] != byte[].class)) {
            throw new IllegalStateException(method + ": a task handler method takes nothing, a TaskContext, a "
                    + "String or a byte[]");
        }
        Class<?> r = invocable.getReturnType();
        if (r != void.class && r != byte[].class && r != String.class) {
            throw new IllegalStateException(method + ": a task handler method returns nothing, byte[] or String");
        }
        invocable.setAccessible(true);
        return new MethodHandler(bean, invocable);
    }

    @Override
    public byte[] handle(TaskContext context) throws Exception {
        Object[] args = new Object[method.getParameterCount()];
        if (args.length == 1) {
            Class<?> p = method.getParameterTypes()[0];
            args[0] = p == TaskContext.class ? context : p == String.class ? context.payloadAsString()
                    : context.payload();
        }
        Object result;
        try {
            result = method.invoke(bean, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
        if (result instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return result instanceof byte[] bytes ? bytes : null;
    }
}
