package io.ha.spring;

import java.lang.reflect.Method;
import java.util.Map;
import org.springframework.aop.MethodMatcher;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcher;
import org.springframework.aop.support.annotation.AnnotationClassFilter;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Proxies beans that use {@link LeaderOnly} or {@link Exclusive} (class-based proxies, so that the bean's own type
 * stays injectable). It runs before Spring's {@code @Scheduled} post-processor, so that scheduled methods are called
 * through the proxy and a ShedLock user can switch by changing one annotation. A bean that is already a proxy gets
 * the advice in front of its existing advisors.
 */
final class HaAnnotationPostProcessor implements BeanPostProcessor, Ordered {
    private static final MethodMatcher NOT_OBJECT_METHODS = new StaticMethodMatcher() {
        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            return method.getDeclaringClass() != Object.class;
        }
    };

    private final ObjectProvider<HaClusterLifecycle> lifecycle;
    private final ObjectProvider<LeaderOnlyGate> gate;

    HaAnnotationPostProcessor(ObjectProvider<HaClusterLifecycle> lifecycle, ObjectProvider<LeaderOnlyGate> gate) {
        this.lifecycle = lifecycle;
        this.gate = gate;
    }

    @Override
    public int getOrder() {
        return 0; // Before ScheduledAnnotationBeanPostProcessor (LOWEST_PRECEDENCE).
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        boolean leaderType = AnnotatedElementUtils.hasAnnotation(type, LeaderOnly.class);
        if (leaderType && bean instanceof SmartLifecycle lifecycleBean) {
            SmartLifecycle target = lifecycleBean;
            if (bean instanceof Advised advised) {
                try {
                    target = (SmartLifecycle) advised.getTargetSource().getTarget();
                } catch (Exception e) {
                    throw new IllegalStateException("bean '" + beanName + "': no target behind its proxy", e);
                }
            }
            return proxy(bean, new DefaultPointcutAdvisor(new LeaderLifecycleInterceptor(beanName, target,
                    lifecycle)));
        }
        Map<Method, Boolean> annotated = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<Boolean>) m -> AnnotatedElementUtils.hasAnnotation(m,
                        LeaderOnly.class) || AnnotatedElementUtils.hasAnnotation(m, Exclusive.class) ? true : null);
        if (!leaderType && annotated.isEmpty()) {
            return bean;
        }
        // On a type: every method of the bean's own, not Object's (equals and hashCode must keep working).
        ComposablePointcut pointcut = leaderType
                ? new ComposablePointcut(new AnnotationClassFilter(LeaderOnly.class, true), NOT_OBJECT_METHODS)
                : new ComposablePointcut(AnnotationMatchingPointcut.forMethodAnnotation(LeaderOnly.class));
        pointcut.union(AnnotationMatchingPointcut.forMethodAnnotation(Exclusive.class));
        return proxy(bean, new DefaultPointcutAdvisor(pointcut, new HaMethodInterceptor(lifecycle, gate)));
    }

    private static Object proxy(Object bean, DefaultPointcutAdvisor advisor) {
        if (bean instanceof Advised advised && !advised.isFrozen()) {
            advised.addAdvisor(0, advisor);
            return bean;
        }
        ProxyFactory factory = new ProxyFactory(bean);
        factory.setProxyTargetClass(true);
        factory.addAdvisor(advisor);
        return factory.getProxy(AopUtils.getTargetClass(bean).getClassLoader());
    }
}
