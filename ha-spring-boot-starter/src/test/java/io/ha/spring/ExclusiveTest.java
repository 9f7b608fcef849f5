package io.ha.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ha.core.LockLostException;
import io.ha.core.LockTimeoutException;
import io.ha.core.cluster.HaCluster;
import io.ha.core.lock.FencingToken;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

class ExclusiveTest extends SpringTestBase {
    static final CountDownLatch HOLDING = new CountDownLatch(1);
    static volatile long stepMillis;

    static class Work {
        @Value("${ha.agent.id}")
        String agent;

        @Exclusive(name = "shared", waitFor = "20s")
        public long step(FencingToken token) throws InterruptedException {
            Probe.SEEN.add(token.value());
            Probe.run(agent, stepMillis);
            return token.value();
        }

        @Exclusive(name = "shared", skipWhenBusy = true)
        public boolean ifFree() {
            return true;
        }

        @Exclusive(name = "shared", waitFor = "100ms")
        public void briefly() {
        }

        @Exclusive(name = "long")
        public void hold() throws InterruptedException {
            HOLDING.countDown();
            Thread.sleep(60_000);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Work.class)
    static class App {
    }

    @BeforeEach
    void reset() {
        Probe.reset();
        stepMillis = 30;
    }

    @Test
    void neverOverlapsAcrossContextsAndTokensIncrease() throws Exception {
        Work a = app("a", App.class).getBean(Work.class);
        Work b = app("b", App.class).getBean(Work.class);
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (Work w : List.of(a, b, a, b)) {
            calls.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 5; i++) {
                    try {
                        w.step(null);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(Probe.MAX_INSIDE).as("holders at once").hasValue(1);
        assertThat(Probe.runs("a") + Probe.runs("b")).isEqualTo(20);
        assertThat(Probe.SEEN).hasSize(20);
        for (int i = 1; i < Probe.SEEN.size(); i++) {
            assertThat((Long) Probe.SEEN.get(i)).isGreaterThan((Long) Probe.SEEN.get(i - 1));
        }
    }

    @Test
    void aBusyLockSkipsOrTimesOutAsTheAnnotationSays() throws Exception {
        Work a = app("a", App.class).getBean(Work.class);
        Work b = app("b", App.class).getBean(Work.class);
        assertThat(b.ifFree()).isTrue();
        stepMillis = 3000;
        CompletableFuture<Long> holder = CompletableFuture.supplyAsync(() -> {
            try {
                return a.step(null);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(WAIT).until(() -> Probe.INSIDE.get() == 1);
        assertThat(b.ifFree()).isFalse();
        assertThatThrownBy(b::briefly).isInstanceOf(LockTimeoutException.class);
        holder.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aLostLockInterruptsTheMethodAndEndsWithLockLostException() throws Exception {
        ConfigurableApplicationContext ctx = app("a", App.class);
        Work a = ctx.getBean(Work.class);
        CompletableFuture<Void> call = CompletableFuture.runAsync(() -> {
            try {
                a.hold();
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted without LockLostException", e);
            }
        });
        assertThat(HOLDING.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        expireSessionOnServer(ctx.getBean(HaCluster.class));
        assertThatThrownBy(() -> call.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(LockLostException.class);
    }
}
