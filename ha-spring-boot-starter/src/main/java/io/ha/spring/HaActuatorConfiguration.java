package io.ha.spring;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The actuator side of HA, each part only when the application has its library: the {@code ha} health indicator
 * (spring-boot-health), the {@code ha} info section (spring-boot-actuator), the HA meters (Micrometer, bound to the
 * application's registry by Spring Boot's metrics auto-configuration).
 */
@AutoConfiguration(after = HaAutoConfiguration.class)
@ConditionalOnBean(HaClusterLifecycle.class)
public class HaActuatorConfiguration {
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "haHealthIndicator")
        HaHealthIndicator haHealthIndicator(HaClusterLifecycle lifecycle) {
            return new HaHealthIndicator(lifecycle);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(InfoContributor.class)
    static class InfoConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "haInfoContributor")
        HaInfoContributor haInfoContributor(HaClusterLifecycle lifecycle) {
            return new HaInfoContributor(lifecycle);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "haMetrics")
        HaMetrics haMetrics(HaClusterLifecycle lifecycle) {
            return new HaMetrics(lifecycle);
        }
    }
}
