package io.ha.spring;

import io.ha.core.LockTimeoutException;
import io.ha.core.lock.ExclusiveTask;
import io.ha.core.lock.ExclusiveWork;
import io.ha.core.lock.FencingToken;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Optional;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Runs {@link LeaderOnly} and {@link Exclusive} methods: the leader check first (through the {@link LeaderOnlyGate}),
 * then the lock. The cluster is looked up at the first call, so proxying a bean never joins the cluster early.
 */
final class HaMethodInterceptor implements MethodInterceptor {
    private final ObjectProvider<HaClusterLifecycle> lifecycle;
    private final ObjectProvider<LeaderOnlyGate> gate;

    HaMethodInterceptor(ObjectProvider<HaClusterLifecycle> lifecycle, ObjectProvider<LeaderOnlyGate> gate) {
        this.lifecycle = lifecycle;
        this.gate = gate;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Method method = invocation.getMethod();
        if (invocation.getThis() != null) {
            method = AopUtils.getMostSpecificMethod(method, AopUtils.getTargetClass(invocation.getThis()));
        }
        LeaderOnly leaderOnly = leaderOnly(method, invocation.getThis());
        if (leaderOnly == null) {
            return exclusive(invocation, method);
        }
        LeaderOnlyGate g = gate.getObject();
        if (g.enter() < 0) {
            if (leaderOnly.whenNotLeader() == LeaderOnly.NotLeader.THROW) {
                throw new NotLeaderException(method.getDeclaringClass().getSimpleName() + "." + method.getName()
                        + " runs on the leader only, and this instance does not lead");
            }
            return Defaults.of(method.getReturnType());
        }
        try {
            return exclusive(invocation, method);
        } finally {
            g.exit();
        }
    }

    private static LeaderOnly leaderOnly(Method method, Object target) {
        LeaderOnly onMethod = AnnotatedElementUtils.findMergedAnnotation(method, LeaderOnly.class);
        if (onMethod != null || target == null) {
            return onMethod;
        }
        return AnnotatedElementUtils.findMergedAnnotation(AopUtils.getTargetClass(target), LeaderOnly.class);
    }

    private Object exclusive(MethodInvocation invocation, Method method) throws Throwable {
        Exclusive exclusive = AnnotatedElementUtils.findMergedAnnotation(method, Exclusive.class);
        if (exclusive == null) {
            return invocation.proceed();
        }
        String name = exclusive.name().isEmpty()
                ? method.getDeclaringClass().getSimpleName() + "." + method.getName() : exclusive.name();
        Duration wait = DurationStyle.detectAndParse(exclusive.waitFor());
        ExclusiveWork work = lifecycle.getObject().joined().exclusiveWork();
        Object[] args = invocation.getArguments();
        Class<?>[] types = method.getParameterTypes();
        ExclusiveTask<Optional<Object>> task = token -> {
            for (int i = 0; i < types.length; i++) {
                if (types[i] == FencingToken.class) {
                    args[i] = token;
                }
            }
            try {
                return Optional.ofNullable(invocation.proceed());
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        };
        if (exclusive.skipWhenBusy()) {
            Optional<Optional<Object>> ran = wait.isZero() ? work.tryRunExclusively(name, task)
                    : tryWithin(work, name, wait, task);
            return ran.isEmpty() ? Defaults.of(method.getReturnType()) : ran.get().orElse(null);
        }
        return work.runExclusively(name, wait, task).orElse(null);
    }

    private static Optional<Optional<Object>> tryWithin(ExclusiveWork work, String name, Duration wait,
            ExclusiveTask<Optional<Object>> task) throws Exception {
        try {
            return Optional.of(work.runExclusively(name, wait, task));
        } catch (LockTimeoutException e) {
            return Optional.empty();
        }
    }

    /** What a skipped call returns. */
    static final class Defaults {
        private Defaults() {
        }

        static Object of(Class<?> type) {
            if (!type.isPrimitive() || type == void.class) {
                return null;
            }
            if (type == boolean.class) {
                return false;
            }
            if (type == char.class) {
                return '\0';
            }
            if (type == long.class) {
                return 0L;
            }
            if (type == double.class) {
                return 0d;
            }
            if (type == float.class) {
                return 0f;
            }
            if (type == byte.class) {
                return (byte) 0;
            }
            if (type == short.class) {
                return (short) 0;
            }
            return 0;
        }
    }
}
