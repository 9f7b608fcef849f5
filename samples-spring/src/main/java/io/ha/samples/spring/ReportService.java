package io.ha.samples.spring;

import io.ha.spring.ClusterScheduled;
import io.ha.spring.LeaderOnly;
import io.ha.spring.TaskHandler;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A Spring Boot service that every instance runs the same: a report that Spring schedules on every instance but
 * that only the leader publishes ({@code @LeaderOnly} on {@code @Scheduled}), a cleanup that runs once per tick on one
 * instance of the cluster ({@code @ClusterScheduled}), and a task handler any instance may be given work for.
 * Configured by {@code ha.*} properties only (command-line {@code --ha.zk.connect=...} and so on).
 *
 * <p>Shows: the report moves to the other instance when the leader stops, and is never published by two at once.
 * Does not show: a leader frozen past its session (see the distributed-lock sample for fencing).
 */
@SpringBootApplication
@EnableScheduling
public class ReportService {
    public static void main(String[] args) {
        SpringApplication.run(ReportService.class, args);
    }

    /** The service's jobs. */
    @Component
    public static class Jobs {
        private static final Logger LOG = LoggerFactory.getLogger(Jobs.class);
        private final AtomicInteger published = new AtomicInteger();

        @Value("${ha.agent.id}")
        private String instance;

        /** Spring runs this on every instance; HA lets it through on the leader only. */
        @Scheduled(fixedDelay = 500)
        @LeaderOnly
        public void publishReport() {
            LOG.info("REPORT {} published by {}", published.incrementAndGet(), instance);
        }

        /** One run per tick across the whole cluster, on whichever instance takes the tick's task. */
        @ClusterScheduled(name = "cleanup", every = "2s")
        public void cleanup() {
            LOG.info("CLEANUP tick on {}", instance);
        }

        @TaskHandler(type = "thumbnail", concurrency = 2)
        public String thumbnail(String image) {
            return "thumbnail of " + image + " by " + instance;
        }
    }
}
