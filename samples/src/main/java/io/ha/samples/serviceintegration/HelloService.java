package io.ha.samples.serviceintegration;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ha.core.cluster.HaCluster;
import io.ha.core.schedule.Trigger;
import io.ha.samples.SampleNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One instance of the service-integration sample: a plain HTTP service on the JDK's {@link HttpServer} (127.0.0.1, a
 * free port) that embeds ha-core. Every instance answers {@code GET /hello} (naming itself and the cluster's leader)
 * and {@code GET /jobs} (the nightly runs it made); only the leader runs the {@link NightlyJob}. SIGTERM stops it
 * cleanly: it stops serving, leaves the cluster (giving up leadership at once) and exits 0.
 *
 * <p>Guarantee: the nightly job runs here only while this instance leads. Not guaranteed: that {@code /hello} names the
 * leader of this very moment; it reads ZooKeeper's view once per request.
 */
public final class HelloService {
    private HelloService() {
    }

    public static void main(String[] args) throws Exception {
        SampleNode node = SampleNode.parse("HelloService", args);
        node.exitWithParent();
        NightlyJob job = new NightlyJob(node, new Trigger.CronTrigger(node.option("job-cron"), "UTC"),
                Duration.ofMillis(node.intOption("job-millis", 500)));

        // HA: the service joins the cluster as a member with one leader service. ha-core runs the job on whichever
        // instance ZooKeeper elects, and moves it when that instance leaves or dies. The service's code has no
        // "am I the leader?" branches of its own.
        HaCluster cluster = node.clusterBuilder().leaderService("nightly-job", job).build().start();

        // The HTTP side knows nothing of leadership: every instance serves every request.
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/hello", exchange -> reply(exchange, hello(node, cluster)));
        http.createContext("/jobs", exchange -> reply(exchange, String.join("\n", job.runs())));
        http.start();
        int port = http.getAddress().getPort();
        node.say("serving HTTP on 127.0.0.1:%d (pid %d)", port, ProcessHandle.current().pid());

        // A clean stop on SIGTERM: closing the cluster deletes this instance's election node at once (after the job
        // has returned), so the next leader takes over now, not after the session timeout as after a crash.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.stop(0);
            cluster.close();
            node.say("stopped cleanly: port %d closed, left the cluster", port);
            System.out.flush();
            Runtime.getRuntime().halt(0);   // a clean stop exits 0, not the 143 of a JVM ended by SIGTERM
        }, "clean-stop"));
        // main ends here; the HTTP server's thread keeps the JVM running until SIGTERM.
    }

    private static String hello(SampleNode node, HaCluster cluster) {
        try {
            return "hello from " + node.id() + " (pid " + ProcessHandle.current().pid() + "); leader "
                    + cluster.leaderElection().currentLeader().orElse("none") + ", epoch "
                    + cluster.leaderElection().currentEpoch();
        } catch (Exception e) {
            return "hello from " + node.id() + "; the cluster cannot be read now: " + e.getMessage();
        }
    }

    private static void reply(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
