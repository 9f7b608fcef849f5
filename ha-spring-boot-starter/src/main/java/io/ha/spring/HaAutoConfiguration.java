package io.ha.spring;

import io.ha.core.cluster.HaCluster;
import io.ha.core.leader.LeaderElection;
import io.ha.core.lock.ExclusiveWork;
import io.ha.core.membership.Membership;
import io.ha.core.schedule.Schedules;
import io.ha.core.task.TaskQueue;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of ha-core: the {@link HaCluster} (joined through {@link HaClusterLifecycle}) and its parts as
 * beans. Off with {@code ha.enabled=false}; an application that defines its own {@code HaClusterLifecycle} keeps it.
 * The parts are the cluster's own objects: closing is the lifecycle's job, so none of them is closed as a bean.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "ha", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(HaProperties.class)
public class HaAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean
    HaClusterLifecycle haClusterLifecycle(HaProperties properties, Environment environment) {
        return new HaClusterLifecycle(new HaClusterFactory(properties, environment).build(),
                properties.getShutdown().getDrainTimeout());
    }

    @Bean(destroyMethod = "")
    HaCluster haCluster(HaClusterLifecycle lifecycle) {
        return lifecycle.joined();
    }

    @Bean
    TaskQueue haTaskQueue(HaCluster cluster) {
        return cluster.taskQueue();
    }

    @Bean
    Schedules haSchedules(HaCluster cluster) {
        return cluster.schedules();
    }

    @Bean(destroyMethod = "")
    ExclusiveWork haExclusiveWork(HaCluster cluster) {
        return cluster.exclusiveWork();
    }

    @Bean(destroyMethod = "")
    Membership haMembership(HaCluster cluster) {
        return cluster.membership();
    }

    @Bean(destroyMethod = "")
    LeaderElection haLeaderElection(HaCluster cluster) {
        return cluster.leaderElection();
    }

    @Bean
    LeaderOnlyGate haLeaderOnlyGate(HaCluster cluster) {
        LeaderOnlyGate gate = new LeaderOnlyGate(cluster.config().leaderStopTimeout());
        cluster.leaderElection().addService("spring-leader-only", gate);
        return gate;
    }

    /** Static, and given providers only: post-processors are made early, and must not join the cluster then. */
    @Bean
    static HaAnnotationPostProcessor haAnnotationPostProcessor(ObjectProvider<HaClusterLifecycle> lifecycle,
            ObjectProvider<LeaderOnlyGate> gate) {
        return new HaAnnotationPostProcessor(lifecycle, gate);
    }

    @Bean
    static HaHandlerRegistrar haHandlerRegistrar(ObjectProvider<HaClusterLifecycle> lifecycle) {
        return new HaHandlerRegistrar(lifecycle);
    }
}
