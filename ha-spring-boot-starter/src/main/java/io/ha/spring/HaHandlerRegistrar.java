package io.ha.spring;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.Schedules;
import io.ha.core.schedule.Trigger;
import io.ha.core.task.TaskSpec;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Finds {@link TaskHandler} and {@link ClusterScheduled} beans and methods, and at start (just after the cluster
 * joined, before the application's own lifecycle beans) registers their handlers with the worker (members only) and
 * defines the schedules (any role; {@code Schedules.define} keeps a redefined schedule's position, so a changed
 * annotation never repeats a tick). A bad annotation fails start-up naming the bean and method.
 */
final class HaHandlerRegistrar implements BeanPostProcessor, SmartLifecycle {
    private record Found(String type, int concurrency, io.ha.core.task.TaskHandler handler, ClusterScheduled schedule,
            String where) {
    }

    private final ObjectProvider<HaClusterLifecycle> lifecycle;
    private final List<Found> found = new ArrayList<>();
    private volatile boolean running;

    HaHandlerRegistrar(ObjectProvider<HaClusterLifecycle> lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        TaskHandler onType = AnnotatedElementUtils.findMergedAnnotation(type, TaskHandler.class);
        if (onType != null) {
            if (!(bean instanceof io.ha.core.task.TaskHandler handler)) {
                throw new IllegalStateException("bean '" + beanName + "' is annotated @TaskHandler but does not "
                        + "implement io.ha.core.task.TaskHandler");
            }
            add(new Found(onType.type(), onType.concurrency(), handler, null, "bean '" + beanName + "'"));
        }
        Map<Method, TaskHandler> handlers = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<TaskHandler>) m ->
                        AnnotatedElementUtils.findMergedAnnotation(m, TaskHandler.class));
        handlers.forEach((m, a) -> add(new Found(a.type(), a.concurrency(), MethodHandler.of(bean, m), null,
                where(beanName, m))));
        Map<Method, ClusterScheduled> schedules = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<ClusterScheduled>) m ->
                        AnnotatedElementUtils.findMergedAnnotation(m, ClusterScheduled.class));
        schedules.forEach((m, a) -> add(new Found(a.name().isEmpty() ? type.getSimpleName() + "." + m.getName()
                : a.name(), a.concurrency(), MethodHandler.of(bean, m), a, where(beanName, m))));
        return bean;
    }

    private static String where(String beanName, Method m) {
        return "bean '" + beanName + "' method " + m.getName();
    }

    private synchronized void add(Found f) {
        found.add(f);
        if (running) {
            register(lifecycle.getObject().joined(), f); // A bean created after start (lazy): register it now.
        }
    }

    @Override
    public synchronized void start() {
        HaCluster cluster = lifecycle.getObject().joined();
        found.forEach(f -> register(cluster, f));
        running = true;
    }

    private static void register(HaCluster cluster, Found f) {
        try {
            if (cluster.role() == ClusterRole.MEMBER) {
                cluster.worker().register(f.type(), f.handler(), f.concurrency());
            }
            if (f.schedule() != null) {
                cluster.schedules().define(f.type(), trigger(f.schedule()), TaskSpec.builder(f.type()).build(),
                        Schedules.Options.defaults().withMisfire(f.schedule().misfire())
                                .withOverlap(f.schedule().overlap()));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(f.where() + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException(f.where() + ": registering task type '" + f.type() + "' failed: "
                    + e.getMessage(), e);
        }
    }

    private static Trigger trigger(ClusterScheduled s) {
        if (s.cron().isEmpty() == s.every().isEmpty()) {
            throw new IllegalArgumentException("@ClusterScheduled needs exactly one of cron and every");
        }
        if (!s.cron().isEmpty()) {
            return new Trigger.CronTrigger(s.cron(), s.zone());
        }
        Duration every = DurationStyle.detectAndParse(s.every());
        return new Trigger.FixedRate(every.toMillis(), 0);
    }

    @Override
    public void stop() {
        running = false; // The cluster's own stop drains the worker.
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return HaClusterLifecycle.PHASE + 1;
    }
}
