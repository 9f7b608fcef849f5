package io.ha.spring;

import java.util.concurrent.atomic.AtomicBoolean;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Turns the context's {@code start}, {@code stop} and {@code isRunning} calls on a {@link LeaderOnly}
 * {@code SmartLifecycle} bean into wishes of a {@link LeaderLifecycle}, registered as a leader service at the first
 * start. Other methods run as they are.
 */
final class LeaderLifecycleInterceptor implements MethodInterceptor {
    private final String beanName;
    private final LeaderLifecycle leader;
    private final ObjectProvider<HaClusterLifecycle> lifecycle;
    private final AtomicBoolean registered = new AtomicBoolean();

    LeaderLifecycleInterceptor(String beanName, SmartLifecycle target, ObjectProvider<HaClusterLifecycle> lifecycle) {
        this.beanName = beanName;
        this.leader = new LeaderLifecycle(target);
        this.lifecycle = lifecycle;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        String name = invocation.getMethod().getName();
        int params = invocation.getMethod().getParameterCount();
        if (name.equals("start") && params == 0) {
            leader.want();
            if (registered.compareAndSet(false, true)) {
                lifecycle.getObject().joined().leaderElection().addService("spring-lifecycle:" + beanName, leader);
            }
            return null;
        }
        if (name.equals("stop") && params <= 1) {
            leader.unwant();
            if (params == 1 && invocation.getArguments()[0] instanceof Runnable callback) {
                callback.run();
            }
            return null;
        }
        if (name.equals("isRunning") && params == 0) {
            return leader.wanted();
        }
        return invocation.proceed();
    }
}
