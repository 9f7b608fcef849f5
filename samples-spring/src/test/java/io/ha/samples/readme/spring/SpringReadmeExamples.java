package io.ha.samples.readme.spring;

import io.ha.core.lock.FencingToken;
import io.ha.core.task.TaskContext;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskSpec;
import io.ha.spring.ClusterScheduled;
import io.ha.spring.Exclusive;
import io.ha.spring.LeaderOnly;
import io.ha.spring.TaskHandler;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * README.md's Spring Boot examples, compiled: samples' ReadmeExamplesTest checks every {@code ```java} block of the
 * README against ReadmeExamples.java and this file. Nothing here runs, and the package is outside
 * io.ha.samples.spring so that the sample application's component scan does not pick these beans up.
 */
final class SpringReadmeExamples {
    private SpringReadmeExamples() {
    }

    interface Reports {
        void publish();
    }

    interface Ledger {
        void settle(long fence);
    }

    static final class Poller {
        void start() {
        }

        void stop() {
        }
    }

    @Component
    static class AfterShedLock {
        private Reports reports;

@Scheduled(cron = "0 0 * * * *")
@LeaderOnly                       // was: @SchedulerLock(name = "hourlyReport", lockAtMostFor = "10m")
public void hourlyReport() {
    reports.publish();
}
    }

    @Component
    static class AfterLeaderInitiator {
// was: a LeaderInitiator bean and an @EventListener for OnGrantedEvent / OnRevokedEvent
@Component
@LeaderOnly
public static class InboxPoller implements SmartLifecycle {
    private final Poller poller = new Poller();
    private volatile boolean running;

    @Override public void start() { poller.start(); running = true; }   // when this instance is elected
    @Override public void stop() { poller.stop(); running = false; }    // when its term ends
    @Override public boolean isRunning() { return running; }
}
    }

    @Component
    static class Others {
        private Ledger ledger;
        private TaskQueue queue;

@Exclusive(name = "ledger", waitFor = "30s")
public void settle(FencingToken token) {         // the token increases on every acquisition
    ledger.settle(token.value());
}

@ClusterScheduled(name = "cleanup", cron = "0 */5 * * * ?", zone = "Europe/Paris")
public void cleanup(TaskContext tick) {          // once per tick, on one instance of the cluster
}

@TaskHandler(type = "thumbnail", concurrency = 4)
public String thumbnail(String image) {          // any instance may run it; at-least-once
    return "thumbnail of " + image;
}

public void submit() throws Exception {
    queue.submit(TaskSpec.builder("thumbnail").payload("cat.png").build());
}
    }
}
