package io.ha.agent.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.agent.http.AgentHttpServer;
import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.task.TaskSpec;
import io.ha.core.task.TaskState;
import io.ha.core.testing.ZkTestBase;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, not a test of speed: enqueues many tasks (1,000,000 by default) on this test's server through the
 * bulk path ({@code submitAll}, 300 tasks per transaction, several threads), then times the console's task pages
 * over HTTP (first page, a page deep in the store, a page filtered by state and a rare type, the overview) and the
 * heap of this JVM before, during and after. Off in the normal build; run with
 * {@code mvn -o -B -pl ha-agent surefire:test -Dtest=ConsolePagingMeasurement -Dha.console.paging=true
 * -Dha.console.paging.tasks=1000000 -DargLine=-Xmx6g}. Figures go to stdout and
 * {@code target/console-paging.txt}; the only assertions are that the pages answer 200 with rows.
 */
@EnabledIfSystemProperty(named = "ha.console.paging", matches = "true")
class ConsolePagingMeasurement extends ZkTestBase {
    private static final int CHUNK = 3_000;
    private static final int THREADS = 4;
    private static final int RARE_EVERY = 1_000;
    private static final int ROUNDS = 7;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern NEXT = Pattern.compile("href=\"([^\"]+)\" id=\"next\"");
    private final List<String> report = new ArrayList<>();

    @Test
    void pagesOverAMillionTasks() throws Exception {
        int total = Integer.getInteger("ha.console.paging.tasks", 1_000_000);
        HaCluster cluster = member("console", b -> b.role(ClusterRole.OBSERVER));
        line("tasks: %,d (one in %,d of type 'rare', the rest 'bulk'), no agent: all stay PENDING", total,
                RARE_EVERY);

        long t0 = System.nanoTime();
        enqueue(cluster, total);
        double secs = (System.nanoTime() - t0) / 1e9;
        line("enqueue: %.1f s, %,.0f tasks/s (submitAll, %d threads, %,d per call)", secs, total / secs, THREADS,
                CHUNK);
        assertThat(cluster.taskQueue().counts().get(TaskState.PENDING)).isEqualTo(total);

        AgentHttpServer http = closeLater(AgentHttpServer.startConsole("127.0.0.1", 0,
                ConsoleSettings.of("127.0.0.1", null, List.of()), () -> cluster));
        String base = "http://127.0.0.1:" + http.port() + "/ui";
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        line("heap used after GC before paging: %,d MiB (the in-process ZooKeeper server's data tree included)",
                before >> 20);
        HeapPeak peak = new HeapPeak(memory);
        peak.start();

        time("first page (50 rows, all states)", base + "/tasks");
        time("first page (500 rows, PENDING)", base + "/tasks?state=PENDING&size=500");
        String deep = base + "/tasks?state=PENDING&size=50&after=PENDING%2Fe0%2F";
        time("deep cursor page (bucket 224 of 256)", deep);
        String followed = base + "/tasks?state=PENDING";
        for (int i = 0; i < 100; i++) {
            followed = next(get(followed).body(), base);
        }
        time("cursor page reached by following 'next' 100 times", followed);
        time("filtered page (PENDING, type=rare)", base + "/tasks?state=PENDING&type=rare");
        time("filtered page (type=rare, all states)", base + "/tasks?type=rare");
        time("search by id", base + "/tasks?q=" + cluster.taskQueue().page(TaskState.PENDING, null, null, 1)
                .tasks().get(0).id());
        time("overview (task counts per state)", base + "/");

        peak.interrupt();
        peak.join();
        long after = usedAfterGc(memory);
        line("heap used: peak while paging %,d MiB, after GC %,d MiB (before %,d MiB)", peak.max.get() >> 20,
                after >> 20, before >> 20);
        Path out = Path.of("target", "console-paging.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, report);
    }

    private void enqueue(HaCluster cluster, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int start = 0; start < total; start += CHUNK) {
                int from = start;
                int to = Math.min(total, start + CHUNK);
                futures.add(pool.submit(() -> {
                    List<TaskSpec> specs = new ArrayList<>(to - from);
                    for (int i = from; i < to; i++) {
                        specs.add(TaskSpec.builder(i % RARE_EVERY == 0 ? "rare" : "bulk").payload("n" + i).build());
                    }
                    return cluster.taskQueue().submitAll(specs);
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Median and spread of {@link #ROUNDS} requests after two warm-up ones. */
    private void time(String what, String url) throws Exception {
        get(url);
        get(url);
        long[] ms = new long[ROUNDS];
        int rows = 0;
        int bytes = 0;
        for (int i = 0; i < ROUNDS; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = get(url);
            ms[i] = (System.nanoTime() - t) / 1_000_000;
            assertThat(r.statusCode()).as(url).isEqualTo(200);
            rows = countRows(r.body());
            bytes = r.body().length();
        }
        Arrays.sort(ms);
        line("%-52s median %5d ms (min %d, max %d), %d rows, %,d bytes", what, ms[ROUNDS / 2], ms[0],
                ms[ROUNDS - 1], rows, bytes);
    }

    private static int countRows(String html) {
        int n = 0;
        for (int i = html.indexOf("class=\"task\""); i >= 0; i = html.indexOf("class=\"task\"", i + 1)) {
            n++;
        }
        return n;
    }

    private static String next(String html, String base) {
        Matcher m = NEXT.matcher(html);
        assertThat(m.find()).as("a next page").isTrue();
        return base + m.group(1).replace("&amp;", "&").substring("/ui".length());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println("console-paging: " + s);
        report.add(s);
    }

    /** The largest heap use seen, sampled every 5 ms. */
    private static final class HeapPeak extends Thread {
        final AtomicLong max = new AtomicLong();
        private final MemoryMXBean memory;

        HeapPeak(MemoryMXBean memory) {
            super("heap-peak");
            this.memory = memory;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                max.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
